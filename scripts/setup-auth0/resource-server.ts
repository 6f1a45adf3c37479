import { type Change, changedFields, patchBody } from './diff.js';
import type { ManagementClient } from './management-client.js';
import type { SetupOptions } from './options.js';

/** The subset of Auth0's resource server object this command manages. */
export interface ResourceServer {
  id: string;
  identifier: string;
  name?: string;
  scopes?: { value: string; description?: string }[];
  signing_alg?: string;
  allow_offline_access?: boolean;
  token_lifetime?: number;
  token_lifetime_for_web?: number;
  skip_consent_for_verifiable_first_party_clients?: boolean;
}

export const API_SCOPES = [
  { value: 'mcp:read', description: 'Read CloudNativePG clusters through cnpg-mcp' },
  { value: 'mcp:write', description: 'Create, change and delete CloudNativePG clusters through cnpg-mcp' },
];

/** Keeps scopes someone added by hand; ensures ours exist with our descriptions. */
function mergedScopes(current: ResourceServer | undefined) {
  const ours = new Set(API_SCOPES.map((s) => s.value));
  return [...(current?.scopes ?? []).filter((s) => !ours.has(s.value)), ...API_SCOPES];
}

function desiredFields(
  options: SetupOptions,
  apiName: string,
  current: ResourceServer | undefined,
): Record<string, unknown> {
  return {
    name: apiName,
    scopes: mergedScopes(current),
    signing_alg: 'RS256',
    allow_offline_access: true,
    token_lifetime: options.tokenLifetimeSeconds,
    // Auth0 requires the browser-flow lifetime to be at most token_lifetime.
    token_lifetime_for_web: Math.min(options.tokenLifetimeSeconds, current?.token_lifetime_for_web ?? 7200),
    skip_consent_for_verifiable_first_party_clients: true,
  };
}

const path = (id: string) => `/api/v2/resource-servers/${encodeURIComponent(id)}`;

/**
 * Plans, and unless dry-run applies, the API whose identifier is the audience (or, in pass-through
 * mode, a second one whose identifier is the MCP URL, for RFC 8707 `resource`).
 */
export async function reconcileResourceServer(
  client: ManagementClient,
  options: SetupOptions,
  api: { identifier: string; name: string } = { identifier: options.audience, name: options.apiName },
): Promise<{ change: Change; resourceServer: ResourceServer | undefined }> {
  // The documented identifier filter finds the API by its identifier (an array of at most one).
  const [current] = await client.get<ResourceServer[]>('/api/v2/resource-servers', {
    identifiers: api.identifier,
  });
  const desired = desiredFields(options, api.name, current);
  const name = api.identifier;
  if (!current) {
    const change: Change = { resource: 'api', name, action: 'create', fields: [] };
    if (options.dryRun) return { change, resourceServer: undefined };
    const created = await client.post<ResourceServer>('/api/v2/resource-servers', {
      identifier: api.identifier,
      ...desired,
    });
    return { change, resourceServer: created };
  }
  const fields = changedFields(current as unknown as Record<string, unknown>, desired);
  if (fields.length === 0)
    return { change: { resource: 'api', name, action: 'unchanged', fields }, resourceServer: current };
  const change: Change = { resource: 'api', name, action: 'update', fields };
  if (options.dryRun) return { change, resourceServer: current };
  const updated = await client.patch<ResourceServer>(
    path(current.id),
    patchBody(current as unknown as Record<string, unknown>, desired, fields),
  );
  return { change, resourceServer: updated };
}
