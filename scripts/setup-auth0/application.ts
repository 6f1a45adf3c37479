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

/** What kind of application to keep: the desktop's public native one, or the remote's own (proxy mode). */
export interface ApplicationSpec {
  resource: 'application' | 'proxy-app';
  name: string;
  clientId: string | undefined;
  appType: 'native' | 'regular_web';
  authMethod: 'none' | 'client_secret_post';
  callbacks: string[];
  grantTypes: string[];
}

export function desktopApplication(options: SetupOptions): ApplicationSpec {
  return {
    resource: 'application',
    name: options.appName,
    clientId: options.appClientId,
    appType: 'native',
    // Public client: no secret; PKCE protects the code (Auth0 requires PKCE for public clients).
    authMethod: 'none',
    callbacks: options.callbacks,
    grantTypes: GRANT_TYPES,
  };
}

function desiredFields(
  options: SetupOptions,
  spec: ApplicationSpec,
  current: Application | undefined,
): Record<string, unknown> {
  return {
    name: spec.name,
    app_type: spec.appType,
    token_endpoint_auth_method: spec.authMethod,
    callbacks: [...new Set([...(current?.callbacks ?? []), ...spec.callbacks])],
    grant_types: spec.grantTypes,
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
  spec: ApplicationSpec,
): Promise<Application | undefined> {
  if (spec.clientId) {
    const found = await client.find<Application>(`/api/v2/clients/${encodeURIComponent(spec.clientId)}`);
    if (!found)
      throw new Auth0Error(
        404,
        'GET /api/v2/clients/{id}',
        `--app-client-id: no application ${spec.clientId} in this tenant`,
      );
    return found;
  }
  const matches: Application[] = [];
  for (let page = 0; ; page++) {
    const result = await client.get<{ clients: Application[]; total: number }>('/api/v2/clients', {
      app_type: spec.appType,
      fields: FIELDS,
      include_fields: true,
      include_totals: true,
      page,
      per_page: 100,
    });
    matches.push(...result.clients.filter((c) => c.name === spec.name));
    if (result.clients.length === 0 || (page + 1) * 100 >= result.total) break;
  }
  if (matches.length > 1) {
    throw new Auth0Error(
      409,
      'GET /api/v2/clients',
      `${spec.resource === 'application' ? '--app-name' : '--proxy-app-name'}: ${matches.length} ${spec.appType} applications are named "${spec.name}" (${matches.map((m) => m.client_id).join(', ')}); pass ${spec.resource === 'application' ? '--app-client-id to choose one' : 'another name'}`,
    );
  }
  return matches[0];
}

/**
 * Plans, and unless dry-run applies, an application (by default the public native one people log
 * in with). A created confidential application's secret goes to `onSecret` only, never elsewhere.
 */
export async function reconcileApplication(
  client: ManagementClient,
  options: SetupOptions,
  spec: ApplicationSpec = desktopApplication(options),
  onSecret?: (secret: string) => void,
): Promise<{ change: Change; application: Application | undefined }> {
  const current = await findApplication(client, spec);
  const desired = desiredFields(options, spec, current);
  const { name, resource } = spec;
  if (!current) {
    const change: Change = { resource, name, action: 'create', fields: [] };
    if (options.dryRun) return { change, application: undefined };
    const created = await client.post<Application & { client_secret?: string }>('/api/v2/clients', desired);
    if (created.client_secret) onSecret?.(created.client_secret);
    return { change, application: { client_id: created.client_id } };
  }
  const fields = changedFields(current as unknown as Record<string, unknown>, desired);
  if (fields.length === 0) {
    return { change: { resource, name, action: 'unchanged', fields }, application: current };
  }
  const change: Change = { resource, name, action: 'update', fields };
  if (!options.dryRun) {
    await client.patch(
      `/api/v2/clients/${encodeURIComponent(current.client_id)}`,
      patchBody(current as unknown as Record<string, unknown>, desired, fields),
    );
  }
  return { change, application: { client_id: current.client_id } };
}
