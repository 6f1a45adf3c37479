import type { Change } from './diff.js';
import { PROXY_SECRET_MOUNT, type SetupResult } from './setup.js';
import { PROXY_KEYS_FILE, PROXY_SECRET_FILE } from './url-only.js';

const VERB: Record<Change['action'], [string, string]> = {
  create: ['would create', 'created'],
  update: ['would update', 'updated'],
  deploy: ['would deploy', 'deployed'],
  bind: ['would bind', 'bound'],
  unchanged: ['unchanged', 'unchanged'],
};

export function renderChange(change: Change, dryRun: boolean): string {
  const verb = VERB[change.action][dryRun ? 0 : 1];
  const fields = change.fields.length ? ` (${change.fields.join(', ')})` : '';
  return `  ${change.resource.padEnd(11)} ${change.name}: ${verb}${fields}`;
}

/** The human-readable report: plan or changes, then the configuration to copy. */
export function renderResult(result: SetupResult): string {
  const writes = result.changes.filter((c) => c.action !== 'unchanged').length;
  const heading = result.dryRun
    ? `Dry run: ${writes} change(s) planned, nothing written.`
    : writes
      ? `Applied ${writes} change(s).`
      : 'Nothing to change: the tenant is already set up.';
  return [
    heading,
    ...result.changes.map((c) => renderChange(c, result.dryRun)),
    '',
    'remote-api environment (deploy/ ConfigMap or env):',
    ...Object.entries(result.remoteApiEnv).map(([k, v]) => `  ${k}=${v}`),
    '',
    ...(result.secretsDir
      ? [
          `The remote API's client secret and sealing keys are in ${result.secretsDir} (0600); make them a Secret`,
          `mounted at ${PROXY_SECRET_MOUNT}, then delete the files:`,
          `  kubectl -n cnpg-mcp create secret generic cnpg-mcp-oauth --from-file=${result.secretsDir}/${PROXY_SECRET_FILE} --from-file=${result.secretsDir}/${PROXY_KEYS_FILE}`,
          '',
        ]
      : []),
    'Claude Desktop (claude_desktop_config.json):',
    JSON.stringify(result.claudeDesktop, null, 2)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    '',
  ].join('\n');
}
