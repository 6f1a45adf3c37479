import { whoami } from '@cnpg-mcp/catalog';
import type { RemoteApiConfig } from '../config.js';
import type { Identity } from '../identity.js';
import { impersonatedGroups, impersonatedUser } from '../kube/client.js';
import type { Access } from '../policy.js';
import { defineTool } from './context.js';

const ANY = ['*'];

/** The dangerous-power rules as they apply to this person: the policy's keys, or everything for an admin. */
export function powersOf(access: Access) {
  const { images, roleAttributes, extensions, parameters, poolerSettings } = access.powers;
  const admin = access.admin;
  return {
    images: {
      registries: admin ? ANY : images.registries,
      catalogs: admin ? ('any' as const) : images.catalogs,
    },
    roleAttributes: {
      superuser: admin || roleAttributes.superuser,
      replication: admin || roleAttributes.replication,
      bypassrls: admin || roleAttributes.bypassrls,
      createrole: admin || roleAttributes.createrole,
      memberOf: admin ? ANY : roleAttributes.memberOf,
    },
    extensions: admin ? ANY : extensions.allowed,
    parameters: admin ? ANY : parameters.allow,
    poolerSettings: {
      parameters: admin ? ANY : poolerSettings.parameters,
      authQuery: admin || poolerSettings.authQuery,
      weakHbaMethods: admin || poolerSettings.weakHbaMethods,
    },
  };
}

/** Who the caller is to this server and what the policy lets them do, for people and for clients. */
export function describeCaller(identity: Identity, access: Access, config: RemoteApiConfig) {
  const groups = impersonatedGroups(identity);
  const unlabelledUsable = access.admin || access.unlabelled === 'everyone';
  const reads = access.admin ? ('namespace' as const) : access.reads;
  const structured = {
    userId: identity.userId,
    sub: identity.sub,
    issuer: identity.issuer,
    email: identity.email,
    emailVerified: identity.emailVerified,
    name: identity.name,
    preferredUsername: identity.preferredUsername,
    groups: identity.groups,
    scopes: identity.scopes,
    admin: access.admin,
    canRead: access.namespaces.length > 0,
    canWrite: !access.readOnly && access.namespaces.length > 0,
    readOnlyReason: access.readOnlyReason,
    namespaces: access.namespaces,
    defaultNamespace: config.defaultNamespace,
    ownershipEnforced: access.ownershipEnforced,
    unlabelledUsable,
    reads,
    canRevealCredentials: access.mayRevealCredentials && !access.readOnly,
    quotas: {
      clustersPerUser: access.quotas.clustersPerUser ?? null,
      instancesPerCluster: access.quotas.instancesPerCluster ?? null,
      storagePerCluster: access.quotas.storagePerCluster ?? null,
    },
    impersonation:
      config.impersonation === 'off'
        ? 'off'
        : `Impersonate-User ${impersonatedUser(identity, config.impersonation)}${groups.length ? `, groups ${groups.join(', ')}` : ''}`,
    powers: powersOf(access),
  };
  const who = identity.email
    ? `${identity.email}${identity.emailVerified ? '' : ' (email not verified)'}`
    : identity.preferredUsername || identity.sub;
  const text = [
    `You are ${who} (subject ${identity.sub}, user id ${identity.userId}${access.admin ? ', admin' : ''}).`,
    `Scopes: ${identity.scopes.join(' ') || '(none)'}. Groups: ${identity.groups.join(', ') || '(none)'}.`,
    `Namespaces: ${access.namespaces.join(', ') || 'none'} (default ${config.defaultNamespace}).`,
    access.readOnly ? `Read-only: ${access.readOnlyReason}.` : 'You may create and change clusters.',
    access.ownershipEnforced ? 'You may change or delete only what you created.' : '',
    unlabelledUsable ? '' : 'Objects made outside cnpg-mcp (without the owner label) are for admins only.',
    reads === 'owned'
      ? 'You may read only what you created.'
      : 'You may read everything in your namespaces, including what others created.',
  ]
    .filter(Boolean)
    .join('\n');
  return { structured, text };
}

export const whoamiTool = defineTool({
  definition: whoami,
  references: {},
  async run(_args, ctx) {
    return describeCaller(ctx.identity, ctx.access, ctx.config);
  },
});
