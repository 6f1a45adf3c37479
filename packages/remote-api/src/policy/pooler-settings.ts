import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';
import { RESTRICTED_POOLER_PARAMETERS, restrictedSettings, WEAK_HBA_METHODS } from './parameters.js';

/** The PgBouncer part of a Pooler spec, as CloudNativePG names it (spec.pgbouncer). */
export interface PoolerSettings {
  parameters?: Record<string, string | null | undefined>;
  authQuery?: string;
  authQuerySecret?: { name: string } | string;
  pg_hba?: readonly string[];
}

/**
 * Whether a pg_hba line may use a weak method. Fields: type, database, user, then the address
 * (host types), the method and options; rather than parse addresses (CIDR, address and mask,
 * host names), any field after the user that names a weak method counts, which errs on the
 * side of refusing.
 */
export function isWeakHbaLine(line: string): boolean {
  const fields = line.replace(/#.*$/, '').trim().split(/\s+/);
  return fields
    .slice(3)
    .some((field) => WEAK_HBA_METHODS.includes(field.replace(/^"|"$/g, '').toLowerCase()));
}

/**
 * PgBouncer settings that weaken authentication or run SQL of the caller's choosing are admin-only:
 * restricted parameters (unless `poolerSettings.parameters` lists them), a custom auth query, and
 * pg_hba lines with a weak method. Removing a parameter (value null) is always allowed.
 */
export function requirePoolerSettingsAllowed(access: Access, pgbouncer: PoolerSettings): void {
  if (access.admin) return;
  const rules = access.powers.poolerSettings;
  const problems: string[] = [];
  const keys: string[] = [];
  const set = Object.fromEntries(
    Object.entries(pgbouncer.parameters ?? {}).filter(([, value]) => value !== null),
  );
  const parameterProblems = restrictedSettings(RESTRICTED_POOLER_PARAMETERS, set, rules.parameters);
  if (parameterProblems.length > 0) {
    problems.push(...parameterProblems);
    keys.push('poolerSettings.parameters');
  }
  if ((pgbouncer.authQuery || pgbouncer.authQuerySecret) && !rules.authQuery) {
    problems.push('a custom auth query (it runs SQL of your choosing to fetch password hashes)');
    keys.push('poolerSettings.authQuery');
  }
  const weak = (pgbouncer.pg_hba ?? []).filter(isWeakHbaLine);
  if (weak.length > 0 && !rules.weakHbaMethods) {
    problems.push(
      `pg_hba ${weak.map((line) => JSON.stringify(line)).join(', ')} ` +
        `(${WEAK_HBA_METHODS.join(' and ')} let clients in without a password or with one in clear text)`,
    );
    keys.push('poolerSettings.weakHbaMethods');
  }
  if (problems.length > 0)
    throw new PolicyDenied(
      'poolerSettings',
      `only an admin may use these PgBouncer settings: ${problems.join('; ')}`,
      keys,
    );
}
