import { reconcileAction } from './action.js';
import { reconcileApplication } from './application.js';
import type { Change } from './diff.js';
import { ManagementClient } from './management-client.js';
import { managementToken } from './management-token.js';
import type { SetupOptions } from './options.js';
import { reconcileResourceServer } from './resource-server.js';
import { PROXY_KEYS_FILE, PROXY_SECRET_FILE, reconcilePassThrough, reconcileProxy } from './url-only.js';

export interface SetupResult {
  dryRun: boolean;
  changes: Change[];
  /** undefined in a dry run that would create the application. */
  clientId: string | undefined;
  /** proxy mode: the directory holding the client secret and keys for the Kubernetes Secret. */
  secretsDir?: string | undefined;
  issuer: string;
  remoteApiEnv: Record<string, string>;
  claudeDesktop: {
    mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
  };
}

const PLACEHOLDER_CLIENT_ID = '<client id: created when run without --dry-run>';
const PLACEHOLDER_REMOTE_URL = 'https://<your remote-api host>/mcp';

/** Where the remote API reads the Secret made from --secrets-dir (docs/url-only-clients.md). */
export const PROXY_SECRET_MOUNT = '/etc/cnpg-mcp/oauth';

export function configurationFor(
  options: SetupOptions,
  clientId: string | undefined,
  proxyClientId?: string | undefined,
) {
  // Auth0 issues tokens with iss = https://DOMAIN/ (with the trailing slash).
  const issuer = `https://${options.domain}/`;
  return {
    issuer,
    remoteApiEnv: {
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: options.audience,
      // The external URL the remote API advertises in its RFC 9728 metadata and challenges.
      ...(options.remoteUrl ? { PUBLIC_URL: new URL(options.remoteUrl).origin } : {}),
      // The desktop finds its client in the remote's metadata (cnpg-mcp --remote-url URL).
      ...(clientId ? { DESKTOP_CLIENT_ID: clientId } : {}),
      ...(options.urlOnly === 'proxy'
        ? {
            OAUTH_MODE: 'proxy',
            OAUTH_PROXY_CLIENT_ID: proxyClientId ?? PLACEHOLDER_CLIENT_ID,
            OAUTH_PROXY_CLIENT_SECRET_FILE: `${PROXY_SECRET_MOUNT}/${PROXY_SECRET_FILE}`,
            OAUTH_PROXY_KEYS_FILE: `${PROXY_SECRET_MOUNT}/${PROXY_KEYS_FILE}`,
          }
        : options.urlOnly === 'pass-through'
          ? { OAUTH_MODE: 'pass-through' }
          : {}),
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
  let proxyClientId: string | undefined;
  if (options.remoteUrl && options.urlOnly === 'proxy') {
    const proxy = await reconcileProxy(client, options, options.remoteUrl);
    changes.push(...proxy.changes);
    proxyClientId = proxy.clientId;
  } else if (options.remoteUrl && options.urlOnly === 'pass-through') {
    changes.push(...(await reconcilePassThrough(client, options, options.remoteUrl)));
  }
  const clientId = app.application?.client_id;
  return {
    dryRun: options.dryRun,
    changes,
    clientId,
    ...(options.urlOnly === 'proxy' ? { secretsDir: options.secretsDir } : {}),
    ...configurationFor(options, clientId, proxyClientId),
  };
}
