import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApplicationSpec, reconcileApplication } from './application.js';
import { type Change, changedFields, patchBody } from './diff.js';
import { Auth0Error, type ManagementClient } from './management-client.js';
import { type SetupOptions, UsageError } from './options.js';
import { reconcileResourceServer } from './resource-server.js';

/**
 * What URL-only MCP clients (Claude.ai connectors, Claude Code over HTTP, mcp-remote) need from the
 * tenant. proxy: the remote API's own confidential application, whose callback is
 * PUBLIC_URL/oauth/callback. pass-through: dynamic client registration, `resource` read as the
 * audience, an API named by the MCP URL, and the login connection open to third-party clients.
 */
export const PROXY_SECRET_FILE = 'client-secret';
export const PROXY_KEYS_FILE = 'keys';

export function proxyApplication(options: SetupOptions, remoteUrl: string): ApplicationSpec {
  return {
    resource: 'proxy-app',
    name: options.proxyAppName,
    clientId: undefined,
    appType: 'regular_web',
    authMethod: 'client_secret_post',
    callbacks: [`${new URL(remoteUrl).origin}/oauth/callback`],
    grantTypes: ['authorization_code', 'refresh_token'],
  };
}

/** Writes a secret file (0600) that must not exist yet: nothing is ever overwritten or printed. */
function writeSecretFile(dir: string, name: string, content: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, name), `${content}\n`, { mode: 0o600, flag: 'wx' });
}

export async function reconcileProxy(
  client: ManagementClient,
  options: SetupOptions,
  remoteUrl: string,
): Promise<{ changes: Change[]; clientId: string | undefined }> {
  const dir = options.secretsDir;
  const spec = proxyApplication(options, remoteUrl);
  if (!options.dryRun && !dir) {
    const plan = await reconcileApplication(client, { ...options, dryRun: true }, spec);
    if (plan.change.action === 'create') {
      throw new UsageError(
        '--secrets-dir: required to create the remote API’s application (its secret is written there, never printed)',
      );
    }
  }
  const result = await reconcileApplication(client, options, spec, (secret) => {
    if (dir) writeSecretFile(dir, PROXY_SECRET_FILE, secret);
  });
  // Sealing keys for the proxy's registrations, codes and refresh tokens: made once, kept.
  if (!options.dryRun && dir && !existsSync(join(dir, PROXY_KEYS_FILE))) {
    writeSecretFile(dir, PROXY_KEYS_FILE, randomBytes(32).toString('base64url'));
  }
  return { changes: [result.change], clientId: result.application?.client_id };
}

interface TenantSettings {
  flags?: Record<string, unknown>;
  resource_parameter_profile?: string;
}

interface Connection {
  id: string;
  name: string;
  is_domain_connection?: boolean;
}

export async function reconcilePassThrough(
  client: ManagementClient,
  options: SetupOptions,
  remoteUrl: string,
): Promise<Change[]> {
  const changes: Change[] = [];
  const current = await client.get<TenantSettings>('/api/v2/tenants/settings', {
    fields: 'flags,resource_parameter_profile',
    include_fields: true,
  });
  const desired = {
    flags: { enable_dynamic_client_registration: true },
    // Auth0 reads RFC 8707 `resource` as the audience.
    resource_parameter_profile: 'compatibility',
  };
  const fields = changedFields(current as Record<string, unknown>, desired);
  changes.push({
    resource: 'tenant',
    name: options.domain,
    action: fields.length ? 'update' : 'unchanged',
    fields,
  });
  if (fields.length && !options.dryRun) {
    await client.patch(
      '/api/v2/tenants/settings',
      patchBody(current as Record<string, unknown>, desired, fields),
    );
  }
  // Spec clients send resource = the MCP URL, so an API with that identifier issues their tokens.
  changes.push(
    (
      await reconcileResourceServer(client, options, {
        identifier: remoteUrl,
        name: `${options.apiName} (MCP URL)`,
      })
    ).change,
  );
  const [connection] = await client.get<Connection[]>('/api/v2/connections', {
    name: options.connection,
    fields: 'id,name,is_domain_connection',
    include_fields: true,
  });
  if (!connection) {
    throw new Auth0Error(
      404,
      'GET /api/v2/connections',
      `--connection: no connection named ${options.connection}`,
    );
  }
  // Dynamically registered clients are third-party: they can only use domain-level connections.
  const open = connection.is_domain_connection === true;
  changes.push({
    resource: 'connection',
    name: connection.name,
    action: open ? 'unchanged' : 'update',
    fields: open ? [] : ['is_domain_connection'],
  });
  if (!open && !options.dryRun) {
    await client.patch(`/api/v2/connections/${encodeURIComponent(connection.id)}`, {
      is_domain_connection: true,
    });
  }
  return changes;
}
