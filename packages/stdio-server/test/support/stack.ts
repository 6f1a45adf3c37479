import { DEV_USERS, type DevOidcOptions } from '@cnpg-mcp/devstack';
import { type LocalStack, type StackApi, startLocalStack } from '@cnpg-mcp/devstack/stack';

type Cleanup = { after: (fn: () => void | Promise<void>) => void };

export interface Stack extends LocalStack {
  /** CNPG_MCP_* settings pointing the CLI at this stack (file token store, ephemeral callback port). */
  settingsEnv: Record<string, string>;
  /** The remote API's audit records and log lines. */
  audit: StackApi['audit'];
  logs: StackApi['logs'];
}

/** The local stack (provider, emulator, remote API on 127.0.0.1), stopped when the test ends. */
export async function startStack(
  t: Cleanup,
  options: {
    stepDelayMs?: number;
    oidc?: DevOidcOptions;
    apiLogLevel?: 'debug' | 'info' | 'warn' | 'error';
    /** More of the remote API's settings (e.g. DESKTOP_CLIENT_ID). */
    apiEnv?: Record<string, string>;
  } = {},
): Promise<Stack> {
  const stack = await startLocalStack({
    ...(options.oidc ? { oidc: options.oidc } : {}),
    kube: { stepDelayMs: options.stepDelayMs ?? 5, onControllerError: () => {} },
    remoteApi: { env: { LOG_LEVEL: options.apiLogLevel ?? 'warn', ...options.apiEnv } },
  });
  t.after(() => stack.close());
  return Object.assign(stack, {
    audit: stack.api.audit,
    logs: stack.api.logs,
    settingsEnv: {
      CNPG_MCP_ISSUER: stack.issuer,
      CNPG_MCP_CLIENT_ID: stack.oidc.clientId,
      CNPG_MCP_AUDIENCE: stack.audience,
      CNPG_MCP_REMOTE_URL: stack.api.mcpUrl.href,
      CNPG_MCP_TOKEN_STORE: 'file',
      CNPG_MCP_CALLBACK_PORT: '0',
      CNPG_MCP_OPEN_BROWSER: 'false',
    },
  });
}

export function credentials(username = 'alice'): { username: string; password: string } {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no dev user ${username}`);
  return { username: user.username, password: user.password };
}
