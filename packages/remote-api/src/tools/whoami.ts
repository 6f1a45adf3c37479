import { whoami } from '@cnpg-mcp/catalog';
import { impersonatedGroups, impersonatedUser } from '../kube/client.js';
import { implement } from './context.js';

export const whoamiTool = implement(whoami, async (_args, ctx) => {
  const { identity, access, config } = ctx;
  const groups = impersonatedGroups(identity);
  const structured = {
    userId: identity.userId,
    sub: identity.sub,
    issuer: identity.issuer,
    email: identity.email,
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
  };
  const who = identity.email || identity.preferredUsername || identity.sub;
  const text = [
    `You are ${who} (user id ${identity.userId}${access.admin ? ', admin' : ''}).`,
    `Scopes: ${identity.scopes.join(' ') || '(none)'}. Groups: ${identity.groups.join(', ') || '(none)'}.`,
    `Namespaces: ${access.namespaces.join(', ') || 'none'} (default ${config.defaultNamespace}).`,
    access.readOnly ? `Read-only: ${access.readOnlyReason}.` : 'You may create and change clusters.',
    access.ownershipEnforced ? 'You may change or delete only clusters you created.' : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { structured, text };
});
