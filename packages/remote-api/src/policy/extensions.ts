import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';

/**
 * Extensions anyone may create by default: those PostgreSQL's contrib marks `trusted` (a database
 * owner may create them without being a superuser, since they give no access beyond the
 * database), plus pg_stat_statements (statistics views; other roles' queries stay hidden without
 * pg_read_all_stats). CloudNativePG creates a Database's extensions as the superuser, so an
 * untrusted one (plpython3u, file_fdw, dblink, adminpack…) would hand its powers — programs, files
 * and connections of the PostgreSQL container — to whoever may declare a Database.
 */
export const TRUSTED_EXTENSIONS: readonly string[] = [
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dict_int',
  'fuzzystrmatch',
  'hstore',
  'intarray',
  'isn',
  'lo',
  'ltree',
  'pg_stat_statements',
  'pg_trgm',
  'pgcrypto',
  'plperl',
  'plpgsql',
  'pltcl',
  'seg',
  'tablefunc',
  'tcn',
  'tsm_system_rows',
  'tsm_system_time',
  'unaccent',
  'uuid-ossp',
];

/**
 * Extensions a Database declares present must be allowed by `extensions.allowed` — a name,
 * "trusted" (TRUSTED_EXTENSIONS, the default) or "*" — unless the caller is an admin. Declaring
 * one absent is always allowed.
 */
export function requireExtensionsAllowed(
  access: Access,
  extensions: readonly { name: string; ensure?: string | undefined }[] | undefined,
): void {
  if (access.admin || !extensions) return;
  const rule = access.powers.extensions.allowed;
  if (rule.includes('*')) return;
  const allowed = new Set([...rule, ...(rule.includes('trusted') ? TRUSTED_EXTENSIONS : [])]);
  const refused = extensions
    .filter((extension) => extension.ensure !== 'absent' && !allowed.has(extension.name.toLowerCase()))
    .map((extension) => extension.name);
  if (refused.length === 0) return;
  throw new PolicyDenied(
    'extensions',
    `only an admin may create the extension${refused.length > 1 ? 's' : ''} ${refused.join(', ')}: ` +
      'CloudNativePG creates extensions as the superuser, and these are not among those this server lets everyone create',
    'extensions.allowed',
  );
}
