/**
 * Log scan: a whole session (login as a person, tool calls, a token refresh, a role with a
 * generated password, the CLI's status and doctor) with every log captured: the stdio server's
 * stderr, the sidecar's log file, the remote API's log and audit lines and the CLI's output. No
 * access token, refresh token, password or client secret may appear in any of them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadSettings, sidecarLogPath } from '@cnpg-mcp/auth-sidecar';
import { DEV_USERS, loginAsPerson } from '@cnpg-mcp/devstack';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { builtCli, connectOverStdio, privateHome, runCli } from '../support/helpers.js';
import { startStack } from '../support/stack.js';

const JWT_SHAPE = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

async function storedRefreshToken(cli: string, env: Record<string, string>): Promise<string> {
  const status = JSON.parse((await runCli(cli, ['status', '--json'], env)).stdout) as {
    storeLocation: string;
  };
  const raw = readFileSync(status.storeLocation, 'utf8');
  const found = /"refreshToken"\s*:\s*"([^"]+)"/.exec(raw)?.[1];
  if (!found) throw new Error('no refresh token in the file store');
  return found;
}

test('no token, password or client secret reaches any log during a whole session', async (t) => {
  const stack = await startStack(t, {
    oidc: { accessTokenTtlSeconds: 6 },
    stepDelayMs: 2,
    apiLogLevel: 'debug',
  });
  const { oidc, logs: apiLog, audit } = stack;
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    ...stack.settingsEnv,
    CNPG_MCP_LOGIN_MODE: 'browser',
    CNPG_MCP_LOGIN_WAIT_SECONDS: '60',
    // Everything the stdio server can log is scanned, not only warnings.
    CNPG_MCP_LOG_LEVEL: 'debug',
    // The session reaches roles and credentials too, beyond the default toolsets.
    CNPG_MCP_TOOLSETS: 'all',
  };
  const admin = DEV_USERS.find((user) => user.username === 'admin')!;
  const { client, stderr } = await connectOverStdio(t, cli, env);
  let login: Promise<unknown> = Promise.resolve();
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(String(notification.params.data))?.[1];
    if (url) login = loginAsPerson(url, admin);
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    assert.notEqual(result.isError, true, `${name}: ${textOf(result)}`);
    return result;
  };
  await call('whoami', {});
  await login;
  const settings = loadSettings({ env });
  const refreshBefore = await storedRefreshToken(cli, env);
  const accessBefore = (await runCli(cli, ['token'], env)).stdout.trim();

  await call('cluster_create', { name: 'pg-scan', storage_size: '1Gi', instances: 1, wait: true });
  await call('role_create', { cluster: 'pg-scan', name: 'app_user' });
  const revealed = await call('credential_reveal', { cluster: 'pg-scan', name: 'app_user' });
  const rolePassword = String((revealed.structuredContent as { password: string }).password);
  assert.ok(rolePassword.length >= 12, 'rolePassword.length >= 12');

  await new Promise((resolve) => setTimeout(resolve, 6500));
  await call('cluster_status', { name: 'pg-scan' });
  const refreshAfter = await storedRefreshToken(cli, env);
  assert.notEqual(refreshAfter, refreshBefore, 'the refresh token rotated during the session');
  const accessAfter = (await runCli(cli, ['token'], env)).stdout.trim();
  assert.notEqual(accessAfter, accessBefore);

  const cliOutput = [
    await runCli(cli, ['status'], env),
    await runCli(cli, ['doctor'], env),
    await runCli(cli, ['token'], env),
  ];
  const logs: Record<string, string> = {
    'stdio server stderr': stderr(),
    'sidecar log file': readFileSync(sidecarLogPath(settings), 'utf8'),
    'remote-api log': apiLog.lines.join('\n'),
    'remote-api audit': audit.lines.join('\n'),
    'cli stdout (status, doctor)': cliOutput
      .slice(0, 2)
      .map((run) => run.stdout)
      .join('\n'),
    'cli stderr (status, doctor, token)': cliOutput.map((run) => run.stderr).join('\n'),
  };
  assert.ok(logs['sidecar log file']!.length > 0, 'the sidecar wrote a log');
  assert.ok(apiLog.lines.length > 0 && audit.lines.length > 0, 'the remote API logged and audited');
  const secrets: Record<string, string> = {
    'access token before refresh': accessBefore,
    'access token after refresh': accessAfter,
    'refresh token before rotation': refreshBefore,
    'refresh token after rotation': refreshAfter,
    'the person’s password': admin.password,
    'generated role password': rolePassword,
    'introspection client secret': oidc.introspectionClient.clientSecret,
  };
  for (const [source, text] of Object.entries(logs)) {
    for (const [secret, value] of Object.entries(secrets)) {
      assert.ok(!text.includes(value), `${secret} appears in the ${source}`);
    }
    assert.doesNotMatch(text, JWT_SHAPE, `a JWT appears in the ${source}`);
  }
});
