import { type Change, changedFields, patchBody } from './diff.js';
import { Auth0Error, type ManagementClient } from './management-client.js';
import type { SetupOptions } from './options.js';

/** The subset of Auth0's client object this command reads (never client_secret). */
export interface Application {
  client_id: string;
  name?: string;
  app_type?: string;
  token_endpoint_auth_method?: string;
  callbacks?: string[];
  grant_types?: string[];
  oidc_conformant?: boolean;
  jwt_configuration?: Record<string, unknown>;
  refresh_token?: Record<string, unknown>;
}

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
];

/** Only these fields are requested, so the Management API never sends a secret back. */
const FIELDS = [
  'client_id',
  'name',
  'app_type',
  'token_endpoint_auth_method',
  'callbacks',
  'grant_types',
  'oidc_conformant',
  'jwt_configuration',
  'refresh_token',
].join(',');

function desiredFields(options: SetupOptions, current: Application | undefined): Record<string, unknown> {
  return {
    name: options.appName,
    app_type: 'native',
    // Public client: no secret; PKCE protects the code (Auth0 requires PKCE for public clients).
    token_endpoint_auth_method: 'none',
    callbacks: [...new Set([...(current?.callbacks ?? []), ...options.callbacks])],
    grant_types: GRANT_TYPES,
    oidc_conformant: true,
    jwt_configuration: { alg: 'RS256' },
    refresh_token: {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      leeway: options.refreshReuseIntervalSeconds,
      token_lifetime: options.refreshLifetimeSeconds,
      infinite_token_lifetime: false,
      idle_token_lifetime: options.refreshIdleLifetimeSeconds,
      infinite_idle_token_lifetime: false,
    },
  };
}

async function findApplication(
  client: ManagementClient,
  options: SetupOptions,
): Promise<Application | undefined> {
  if (options.appClientId) {
    const found = await client.find<Application>(
      `/api/v2/clients/${encodeURIComponent(options.appClientId)}`,
    );
    if (!found)
      throw new Auth0Error(
        404,
        'GET /api/v2/clients/{id}',
        `--app-client-id: no application ${options.appClientId} in this tenant`,
      );
    return found;
  }
  const matches: Application[] = [];
  for (let page = 0; ; page++) {
    const result = await client.get<{ clients: Application[]; total: number }>('/api/v2/clients', {
      app_type: 'native',
      fields: FIELDS,
      include_fields: true,
      include_totals: true,
      page,
      per_page: 100,
    });
    matches.push(...result.clients.filter((c) => c.name === options.appName));
    if (result.clients.length === 0 || (page + 1) * 100 >= result.total) break;
  }
  if (matches.length > 1) {
    throw new Auth0Error(
      409,
      'GET /api/v2/clients',
      `--app-name: ${matches.length} native applications are named "${options.appName}" (${matches.map((m) => m.client_id).join(', ')}); pass --app-client-id to choose one`,
    );
  }
  return matches[0];
}

/** Plans, and unless dry-run applies, the public native application people log in with. */
export async function reconcileApplication(
  client: ManagementClient,
  options: SetupOptions,
): Promise<{ change: Change; application: Application | undefined }> {
  const current = await findApplication(client, options);
  const desired = desiredFields(options, current);
  const name = options.appName;
  if (!current) {
    const change: Change = { resource: 'application', name, action: 'create', fields: [] };
    if (options.dryRun) return { change, application: undefined };
    const created = await client.post<Application>('/api/v2/clients', desired);
    return { change, application: { client_id: created.client_id } };
  }
  const fields = changedFields(current as unknown as Record<string, unknown>, desired);
  if (fields.length === 0) {
    return { change: { resource: 'application', name, action: 'unchanged', fields }, application: current };
  }
  const change: Change = { resource: 'application', name, action: 'update', fields };
  if (!options.dryRun) {
    await client.patch(
      `/api/v2/clients/${encodeURIComponent(current.client_id)}`,
      patchBody(current as unknown as Record<string, unknown>, desired, fields),
    );
  }
  return { change, application: { client_id: current.client_id } };
}
