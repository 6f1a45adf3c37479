#!/usr/bin/env node
// Runs the tests with node:test: every packages/*/test/**/*.test.ts, scripts/**/test/**/*.test.ts and
// deploy/test/**/*.test.ts. `--tier=unit` keeps only files under a test/unit/ folder (pure tests: no
// servers, no processes), `--tier=e2e` only those under test/e2e/. Other arguments filter files by
// substring. Node 20 exits 0 when given no files, so an empty selection is an error here.
// The cnpg-mcp-source condition loads the workspaces that declare it (remote-api, devstack) from
// their TypeScript sources, so a test never runs against a stale dist/.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const tiers = ['unit', 'e2e'];
const args = process.argv.slice(2);
const tierArg = args.find((arg) => arg.startsWith('--tier='));
const tier = tierArg?.slice('--tier='.length);
if (tier !== undefined && !tiers.includes(tier)) {
  console.error(`run-tests: --tier: expected one of ${tiers.join(', ')}, got "${tier}"`);
  process.exit(2);
}
const filters = args.filter((arg) => arg !== tierArg);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const packagesDir = join(root, 'packages');
const packageTests = readdirSync(packagesDir).flatMap((pkg) => {
  try {
    return findTests(join(packagesDir, pkg, 'test'));
  } catch {
    return [];
  }
});
// Tests of the Auth0 setup command and other scripts, and of the deployment manifests.
const otherTests = [
  ...findTests(join(root, 'scripts')).filter((file) => file.split('/').includes('test')),
  ...(statSync(join(root, 'deploy'), { throwIfNoEntry: false })?.isDirectory()
    ? findTests(join(root, 'deploy'))
    : []),
];
const files = [...packageTests, ...otherTests]
  .map((file) => relative(root, file))
  .filter((file) => tier === undefined || file.includes(`/test/${tier}/`))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  const tierText = tier ? ` in the ${tier} tier` : '';
  const filterText = filters.length ? ` matching ${filters.join(', ')}` : '';
  console.error(`run-tests: no test files found${tierText}${filterText}`);
  process.exit(1);
}

const node = [process.execPath, '--conditions=cnpg-mcp-source', '--import', 'tsx'];
// Against a real cluster (KUBE_CONFORMANCE=real) the files share its namespaces and its operator
// takes minutes, not milliseconds: one file at a time, with a longer limit per test.
const realCluster = process.env.KUBE_CONFORMANCE === 'real';
const concurrency = process.env.TEST_CONCURRENCY ?? (realCluster ? '1' : '2');
const testTimeout = realCluster ? 1_800_000 : 180_000;
// Unit tests are pure, so they share one process: TypeScript and the workspaces are loaded once
// instead of once per file (3 s instead of 15 s). A file that cannot be loaded is a failed test.
const unitScript = `import { test } from 'node:test';
for (const file of ${JSON.stringify(files.map((file) => pathToFileURL(join(root, file)).href))}) {
  try {
    await import(file);
  } catch (error) {
    test(\`load \${file}\`, () => {
      throw error;
    });
  }
}`;
const runnerArgs =
  tier === 'unit'
    ? ['--input-type=module', '--eval', unitScript]
    : ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${testTimeout}`, ...files];
const result = spawnSync(node[0], [...node.slice(1), ...runnerArgs], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
