import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';

/** The attributes of a PostgreSQL role a tool would set (only those it sets). */
export interface RoleAttributes {
  superuser?: boolean;
  replication?: boolean;
  bypassrls?: boolean;
  createrole?: boolean;
  createdb?: boolean;
  login?: boolean;
  inRoles?: readonly string[];
}

/** Why each admin-only attribute is dangerous; the policy key is `roleAttributes.<name>`. */
export const DANGEROUS_ROLE_ATTRIBUTES = {
  superuser: 'bypasses every check and can run programs in the PostgreSQL container with COPY … TO PROGRAM',
  replication: 'can stream the whole cluster, every database, over a replication connection',
  bypassrls: 'ignores row-level security policies',
  createrole:
    'can create roles and, before PostgreSQL 16, grant itself membership in any non-superuser role, including pg_execute_server_program',
} as const;

export type DangerousRoleAttribute = keyof typeof DANGEROUS_ROLE_ATTRIBUTES;

/**
 * Predefined roles that only widen what a role may read or monitor inside its own cluster; members
 * of them gain no access to the server's files, programs or network. Non-admins may grant these
 * by default (`roleAttributes.memberOf`).
 */
export const HARMLESS_PREDEFINED_ROLES: readonly string[] = [
  'pg_checkpoint',
  'pg_maintain',
  'pg_monitor',
  'pg_read_all_data',
  'pg_read_all_settings',
  'pg_read_all_stats',
  'pg_signal_autovacuum_worker',
  'pg_signal_backend',
  'pg_stat_scan_tables',
  'pg_use_reserved_connections',
  'pg_write_all_data',
];

/** Roles whose membership is a power of its own: why each is dangerous. */
export const DANGEROUS_MEMBERSHIPS: Readonly<Record<string, string>> = {
  pg_execute_server_program: 'runs programs in the PostgreSQL container with COPY … TO/FROM PROGRAM',
  pg_read_server_files: 'reads any file the server can read, such as its keys and mounted credentials',
  pg_write_server_files: 'writes files on the server, e.g. a library to load',
  pg_create_subscription: 'opens connections from the server to any host the cluster network reaches',
  postgres: 'the superuser; a member can SET ROLE postgres',
  streaming_replica: 'CloudNativePG’s replication role',
  cnpg_pooler_pgbouncer: 'PgBouncer’s authentication role, which reads every role’s password hash',
};

/** Why membership in `role` is restricted, or undefined when anyone may grant it. */
function membershipRestriction(role: string, allowed: readonly string[]): string | undefined {
  const name = role.toLowerCase();
  if (allowed.includes(name)) return undefined;
  if (Object.hasOwn(DANGEROUS_MEMBERSHIPS, name)) return DANGEROUS_MEMBERSHIPS[name];
  if (name.startsWith('pg_')) return 'a predefined role this server has not opened to everyone';
  return undefined;
}

/**
 * superuser, replication, bypassrls, createrole and membership in predefined (`pg_*`) or
 * CloudNativePG-reserved roles are admin-only unless the policy opens them
 * (`roleAttributes.<attribute>: true`, `roleAttributes.memberOf`). Harmless predefined roles
 * (pg_monitor, pg_read_all_data, …) are open by default.
 */
export function requireRoleAttributesAllowed(access: Access, attrs: RoleAttributes): void {
  if (access.admin) return;
  const rules = access.powers.roleAttributes;
  const problems: string[] = [];
  const keys: string[] = [];
  for (const attribute of Object.keys(DANGEROUS_ROLE_ATTRIBUTES) as DangerousRoleAttribute[]) {
    if (attrs[attribute] === true && !rules[attribute]) {
      problems.push(`${attribute.toUpperCase()} (${DANGEROUS_ROLE_ATTRIBUTES[attribute]})`);
      keys.push(`roleAttributes.${attribute}`);
    }
  }
  const memberships = (attrs.inRoles ?? [])
    .map((role) => ({ role, reason: membershipRestriction(role, rules.memberOf) }))
    .filter((m): m is { role: string; reason: string } => m.reason !== undefined);
  if (memberships.length > 0) {
    problems.push(...memberships.map(({ role, reason }) => `membership in ${role} (${reason})`));
    keys.push('roleAttributes.memberOf');
  }
  if (problems.length > 0)
    throw new PolicyDenied(
      'roleAttributes',
      `only an admin may give a role these powers: ${problems.join('; ')}`,
      keys,
    );
}
