import { reconcileAction } from './action.js';
import { reconcileApplication } from './application.js';
import type { Change } from './diff.js';
import { ManagementClient } from './management-client.js';
import { managementToken } from './management-token.js';
import type { SetupOptions } from './options.js';
import { reconcileResourceServer } from './resource-server.js';

export interface SetupResult {
  dryRun: boolean;
  changes: Change[];
  /** undefined in a dry run that would create the application. */
  clientId: string | undefined;
  issuer: string;
  remoteApiEnv: Record<string, string>;
  claudeDesktop: {
    mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
  };
}

const PLACEHOLDER_CLIENT_ID = '<client id: created when run without --dry-run>';
const PLACEHOLDER_REMOTE_URL = 'https://<your remote-api host>/mcp';

export function configurationFor(options: SetupOptions, clientId: string | undefined) {
  // Auth0 issues tokens with iss = https://DOMAIN/ (with the trailing slash).
  const issuer = `https://${options.domain}/`;
  return {
    issuer,
    remoteApiEnv: {
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: options.audience,
      // The external URL the remote API advertises in its RFC 9728 metadata and challenges.
      ...(options.remoteUrl ? { PUBLIC_URL: new URL(options.remoteUrl).origin } : {}),
    },
    claudeDesktop: {
      mcpServers: {
        cnpg: {
          command: 'npx',
          args: ['-y', 'cnpg-mcp'],
          env: {
            CNPG_MCP_ISSUER: issuer,
            CNPG_MCP_CLIENT_ID: clientId ?? PLACEHOLDER_CLIENT_ID,
            CNPG_MCP_AUDIENCE: options.audience,
            CNPG_MCP_REMOTE_URL: options.remoteUrl ?? PLACEHOLDER_REMOTE_URL,
          },
        },
      },
    },
  };
}

/** Brings the tenant to the desired state (or, with dryRun, only reads it) and returns what changed. */
export async function runSetup(
  options: SetupOptions,
  sleep?: (ms: number) => Promise<void>,
): Promise<SetupResult> {
  const retry = {
    maxRetries: options.maxRetries,
    maxWaitSeconds: options.maxRetryWaitSeconds,
    ...(sleep ? { sleep } : {}),
  };
  const token = await managementToken(options.credentials, options.domain, options.managementUrl, retry);
  const client = new ManagementClient(options.managementUrl, token, retry);
  const changes: Change[] = [];
  changes.push((await reconcileResourceServer(client, options)).change);
  const app = await reconcileApplication(client, options);
  changes.push(app.change);
  if (options.action) {
    changes.push(
      ...(await reconcileAction(client, options, sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))),
    );
  }
  const clientId = app.application?.client_id;
  return { dryRun: options.dryRun, changes, clientId, ...configurationFor(options, clientId) };
}
