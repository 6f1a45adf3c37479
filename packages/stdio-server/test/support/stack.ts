import {
  DEV_USERS,
  type DevOidc,
  type KubeEmulator,
  startDevOidc,
  startKubeEmulator,
} from '@cnpg-mcp/devstack';
import { loadConfig, type RunningRemoteApi, startRemoteApi } from '@cnpg-mcp/remote-api';

type Cleanup = { after: (fn: () => void | Promise<void>) => void };

/** Collects JSON lines (logs, audit records) of the in-process remote API. */
export class Lines {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  async close(): Promise<void> {}
  records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface Stack {
  oidc: DevOidc;
  kube: KubeEmulator;
  api: RunningRemoteApi;
  audit: Lines;
  /** The remote API's log lines. */
  logs: Lines;
  /** CNPG_MCP_* settings pointing the CLI at this stack (file token store, ephemeral callback port). */
  settingsEnv: Record<string, string>;
}

/** The real parts: OpenID provider, Kubernetes emulator, remote API; all on 127.0.0.1, ephemeral ports. */
export async function startStack(
  t: Cleanup,
  options: {
    stepDelayMs?: number;
    oidc?: Parameters<typeof startDevOidc>[0];
    apiLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  } = {},
): Promise<Stack> {
  const oidc = await startDevOidc(options.oidc);
  t.after(() => oidc.close());
  const kube = await startKubeEmulator({
    stepDelayMs: options.stepDelayMs ?? 5,
    onControllerError: () => {},
  });
  t.after(() => kube.close());
  const audit = new Lines();
  const logs = new Lines();
  const api = await startRemoteApi(
    loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      KUBECONFIG: kube.kubeconfigPath,
      LOG_LEVEL: options.apiLogLevel ?? 'warn',
      WAIT_POLL_MS: '100',
      SHUTDOWN_TIMEOUT_SECONDS: '1',
    }),
    { logSink: logs, auditSink: audit },
  );
  t.after(() => api.close());
  return {
    oidc,
    kube,
    api,
    audit,
    logs,
    settingsEnv: {
      CNPG_MCP_ISSUER: oidc.issuer,
      CNPG_MCP_CLIENT_ID: oidc.clientId,
      CNPG_MCP_AUDIENCE: oidc.audience,
      CNPG_MCP_REMOTE_URL: `${api.url}/mcp`,
      CNPG_MCP_TOKEN_STORE: 'file',
      CNPG_MCP_CALLBACK_PORT: '0',
      CNPG_MCP_OPEN_BROWSER: 'false',
    },
  };
}

export function credentials(username = 'alice'): { username: string; password: string } {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no dev user ${username}`);
  return { username: user.username, password: user.password };
}
