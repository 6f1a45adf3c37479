// `npm start`: everything a person needs to try cnpg-mcp on one machine. Starts the local OpenID
// provider and Kubernetes emulator (devstack), the remote API on top of them, bundles the stdio
// CLI, and prints a Claude Desktop entry pointing at this checkout plus the test users.
// The remote API runs in OAuth proxy mode, so URL-only MCP clients (Claude Code over HTTP,
// mcp-remote, the MCP Inspector) can use its /mcp URL alone; the desktop CLI logs in at the
// provider directly as always. Ctrl-C stops everything. Ports: DEVSTACK_OIDC_PORT (9400), DEVSTACK_KUBE_PORT (9401),
// CNPG_MCP_DEV_REMOTE_PORT (9402), DEVSTACK_KUBE_HTTPS_PORT (9403), 0 for any free port. The kubeconfig, the
// audit log and the emulator's objects (kube-state.json, kept across restarts; `npm start -- --reset`
// starts afresh) go to CNPG_MCP_DEV_STATE_DIR (.devstack). Logins are not kept: log in again after a restart.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEV_USERS } from '@cnpg-mcp/devstack';
import { startLocalStack } from '@cnpg-mcp/devstack/stack';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const stateDir = process.env.CNPG_MCP_DEV_STATE_DIR || join(root, '.devstack');
const cliPath = join(root, 'packages', 'stdio-server', 'dist', 'bundle', 'bin', 'cnpg-mcp.js');

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number 0-65535 (0: any free port), got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const stateFile = join(stateDir, 'kube-state.json');
  if (process.argv.includes('--reset')) rmSync(stateFile, { force: true });
  await promisify(execFile)(process.execPath, [
    join(root, 'packages', 'stdio-server', 'scripts', 'bundle.mjs'),
  ]);

  // The remote's own client at the provider (proxy mode), registered once its callback URL is known.
  const proxyClient = { client_id: 'cnpg-mcp-remote', client_secret: randomBytes(24).toString('base64url') };
  const stack = await startLocalStack({
    oidc: { port: port('DEVSTACK_OIDC_PORT', 9400) },
    kube: {
      port: port('DEVSTACK_KUBE_PORT', 9401),
      httpsPort: port('DEVSTACK_KUBE_HTTPS_PORT', 9403),
      kubeconfigPath: join(stateDir, 'kubeconfig'),
      stateFile,
      // Backups take a few seconds, as small ones do on a real cluster.
      backupDurationMs: 3000,
      onControllerError: () => {},
    },
    remoteApi: {
      // Logs to stderr, audit records to a file, as a deployed remote API would.
      lines: 'settings',
      env: {
        PORT: String(port('CNPG_MCP_DEV_REMOTE_PORT', 9402)),
        LOG_LEVEL: 'warn',
        AUDIT_LOG: join(stateDir, 'audit.log'),
        SHUTDOWN_TIMEOUT_SECONDS: '2',
        DESKTOP_CLIENT_ID: 'cnpg-mcp',
        OAUTH_MODE: 'proxy',
        OAUTH_PROXY_CLIENT_ID: proxyClient.client_id,
        OAUTH_PROXY_CLIENT_SECRET: proxyClient.client_secret,
        // New keys each start: registrations and refresh tokens of URL-only clients end with the stack.
        OAUTH_PROXY_KEYS: randomBytes(32).toString('base64url'),
        // The MCP Inspector's web UI may call /mcp from the browser.
        ALLOWED_ORIGINS: 'http://localhost:6274,http://127.0.0.1:6274',
      },
    },
  });
  const { oidc, kube, api } = stack;
  oidc.addClient({ ...proxyClient, redirect_uris: [`${api.url}/oauth/callback`] });

  const settings = {
    CNPG_MCP_ISSUER: oidc.issuer,
    CNPG_MCP_CLIENT_ID: oidc.clientId,
    CNPG_MCP_AUDIENCE: oidc.audience,
    CNPG_MCP_REMOTE_URL: `${api.url}/mcp`,
    // Throwaway test users: a file in your config dir keeps this working without a keychain.
    CNPG_MCP_TOKEN_STORE: 'file',
  };
  const entry = {
    mcpServers: { 'cnpg-dev': { command: process.execPath, args: [cliPath], env: settings } },
  };
  const inspectorEnv = Object.entries(settings)
    .map(([name, value]) => `-e ${name}=${value}`)
    .join(' ');
  process.stdout.write(`
cnpg-mcp dev stack is running (Ctrl-C stops it).

  OpenID provider   ${oidc.issuer}   (client ${oidc.clientId}, audience ${oidc.audience})
  Kubernetes API    ${kube.kubeconfigServer}   (emulated; plain HTTP ${kube.url}; kubeconfig ${kube.kubeconfigPath})
                    objects kept in ${stateFile} (npm start -- --reset starts afresh; logins are not kept)
  remote API        ${api.url}/mcp   (audit log ${join(stateDir, 'audit.log')})

Claude Desktop: add this to claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/,
Windows: %APPDATA%\\Claude\\), then restart Claude Desktop:

${JSON.stringify(entry, null, 2)}

Or merge it automatically:
  ${Object.entries(settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')} \\
    node ${cliPath} config claude-desktop --write --name cnpg-dev

MCP Inspector web UI (needs Node 22.7+):
  npx @modelcontextprotocol/inspector ${inspectorEnv} node ${cliPath}
Log in from a terminal:  ${Object.entries(settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')} node ${cliPath} login

URL-only MCP clients: give them only ${api.url}/mcp (they register, you approve them on the
remote's consent page, then sign in at the provider):
  claude mcp add --transport http cnpg-dev ${api.url}/mcp
  npx mcp-remote ${api.url}/mcp

Test users (the first tool call opens the provider's login page):
${DEV_USERS.map((user) => `  ${user.username.padEnd(6)} / ${user.password.padEnd(15)} groups: ${user.groups.join(', ')}`).join('\n')}

Try: "Create a PostgreSQL cluster called orders with 3 instances and wait until it is ready."
`);

  const shutdown = (signal: string) => {
    process.stdout.write(`\n${signal}: stopping the dev stack…\n`);
    void stack.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`npm start: ${message}\n`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(
      'A port is busy: another `npm start` may be running. Stop it, or choose other ports with ' +
        'DEVSTACK_OIDC_PORT, DEVSTACK_KUBE_PORT, DEVSTACK_KUBE_HTTPS_PORT and CNPG_MCP_DEV_REMOTE_PORT.\n',
    );
  }
  process.exit(1);
});
