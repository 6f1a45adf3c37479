import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';

/** A setting only admins may change, unless the policy lists it; `safeValues` stay open to everyone. */
export interface RestrictedSetting {
  reason: string;
  safeValues?: readonly string[];
}

const LOADS_LIBRARY = 'loads a shared library of your choice into the server, i.e. runs code';
const RUNS_COMMAND = 'runs a shell command in the PostgreSQL container';
const RUNS_INTERPRETER_CODE =
  'runs procedural-language code with the server’s privileges when an interpreter starts';
const TLS = 'weakens or replaces the TLS set-up that protects connections';
const AUTHENTICATION = 'changes how passwords or login names are checked';

/**
 * PostgreSQL parameters that load code, run commands or weaken authentication. Keys are lower case:
 * PostgreSQL treats parameter names case-insensitively, and so does the check. CloudNativePG
 * already refuses some of these (shared_preload_libraries, archive_command, ssl_*…); they are
 * listed anyway so the rule does not depend on the operator version.
 */
export const RESTRICTED_POSTGRES_PARAMETERS: Readonly<Record<string, RestrictedSetting>> = {
  shared_preload_libraries: { reason: LOADS_LIBRARY },
  session_preload_libraries: { reason: LOADS_LIBRARY },
  local_preload_libraries: { reason: LOADS_LIBRARY },
  archive_library: { reason: 'loads a shared library of your choice into the WAL archiver, i.e. runs code' },
  jit_provider: { reason: 'loads a shared library of your choice as the JIT compiler, i.e. runs code' },
  dynamic_library_path: {
    reason:
      'decides where LOAD and C-language functions find libraries; pointed at a writable directory it runs any file as code',
  },
  'plperl.on_init': { reason: RUNS_INTERPRETER_CODE },
  'plperl.on_plperl_init': { reason: RUNS_INTERPRETER_CODE },
  'plperl.on_plperlu_init': { reason: RUNS_INTERPRETER_CODE },
  'pltcl.start_proc': { reason: RUNS_INTERPRETER_CODE },
  'pltclu.start_proc': { reason: RUNS_INTERPRETER_CODE },
  'plv8.start_proc': { reason: RUNS_INTERPRETER_CODE },
  archive_command: { reason: RUNS_COMMAND },
  restore_command: { reason: RUNS_COMMAND },
  archive_cleanup_command: { reason: RUNS_COMMAND },
  recovery_end_command: { reason: RUNS_COMMAND },
  ssl_passphrase_command: { reason: RUNS_COMMAND },
  ssl: { reason: TLS },
  ssl_ciphers: { reason: TLS },
  ssl_ecdh_curve: { reason: TLS },
  ssl_groups: { reason: TLS },
  ssl_tls13_ciphers: { reason: TLS },
  ssl_prefer_server_ciphers: { reason: TLS },
  ssl_min_protocol_version: { reason: TLS, safeValues: ['tlsv1.2', 'tlsv1.3'] },
  ssl_max_protocol_version: { reason: TLS, safeValues: ['tlsv1.3', ''] },
  ssl_ca_file: { reason: TLS },
  ssl_cert_file: { reason: TLS },
  ssl_key_file: { reason: TLS },
  ssl_crl_file: { reason: TLS },
  ssl_crl_dir: { reason: TLS },
  ssl_dh_params_file: { reason: TLS },
  password_encryption: { reason: 'md5 stores weak password hashes', safeValues: ['scram-sha-256'] },
  hba_file: { reason: 'replaces pg_hba.conf, which decides who may log in and how' },
  ident_file: { reason: 'replaces pg_ident.conf, which maps system users to database roles' },
  krb_server_keyfile: { reason: AUTHENTICATION },
  krb_caseins_users: { reason: AUTHENTICATION },
  db_user_namespace: { reason: AUTHENTICATION },
  allow_system_table_mods: {
    reason: 'lets the system catalogs be changed directly, which can corrupt the database',
  },
};

/**
 * PgBouncer settings that weaken authentication or run SQL of the caller's choosing. Names are
 * those CloudNativePG's Pooler webhook accepts (PgBouncer names are lower case).
 */
export const RESTRICTED_POOLER_PARAMETERS: Readonly<Record<string, RestrictedSetting>> = {
  auth_type: {
    reason:
      'decides how clients authenticate; trust, any and plain let them in without a safe password check',
    safeValues: ['hba', 'scram-sha-256', 'md5', 'cert'],
  },
  auth_user: { reason: 'chooses the role PgBouncer uses to look up every password hash' },
  server_check_query: { reason: 'runs SQL of your choosing on every server connection' },
  server_reset_query: { reason: 'runs SQL of your choosing on every server connection' },
  client_tls_sslmode: {
    reason: 'disable turns TLS off for clients',
    safeValues: ['allow', 'prefer', 'require', 'verify-ca', 'verify-full'],
  },
  server_tls_sslmode: {
    reason: 'below verify-ca PgBouncer no longer checks it talks to the real PostgreSQL',
    safeValues: ['verify-ca', 'verify-full'],
  },
  client_tls_ciphers: { reason: TLS },
  client_tls13_ciphers: { reason: TLS },
  server_tls_ciphers: { reason: TLS },
  server_tls13_ciphers: { reason: TLS },
  server_tls_protocols: { reason: TLS },
};

/** The pg_hba methods that let a client in without a password, or send it in clear text. */
export const WEAK_HBA_METHODS: readonly string[] = ['trust', 'password'];

/** Why `name = value` is restricted, or undefined when it is not (or the value is a safe one). */
export function restriction(
  table: Readonly<Record<string, RestrictedSetting>>,
  name: string,
  value: string | null | undefined,
): RestrictedSetting | undefined {
  const setting = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!setting) return undefined;
  if (value !== null && value !== undefined && setting.safeValues?.includes(value.trim().toLowerCase()))
    return undefined;
  return setting;
}

/** Names the caller may not set, with why; `allowed` are names the policy opens to everyone. */
export function restrictedSettings(
  table: Readonly<Record<string, RestrictedSetting>>,
  settings: Record<string, string | null | undefined>,
  allowed: readonly string[],
  normalize: (name: string) => string = (name) => name,
): string[] {
  const problems: string[] = [];
  for (const [rawName, value] of Object.entries(settings)) {
    const name = normalize(rawName);
    if (allowed.includes(name)) continue;
    const setting = restriction(table, name, value);
    if (setting) problems.push(`${rawName} (${setting.reason})`);
  }
  return problems;
}

/**
 * PostgreSQL parameters that load code, run commands or weaken authentication are admin-only,
 * unless `parameters.allow` lists them. Removing a parameter (value null) is always allowed.
 */
export function requireParametersAllowed(
  access: Access,
  parameters: Record<string, string | null | undefined>,
): void {
  if (access.admin) return;
  const set = Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== null));
  const problems = restrictedSettings(
    RESTRICTED_POSTGRES_PARAMETERS,
    set,
    access.powers.parameters.allow,
    (name) => name.toLowerCase(),
  );
  if (problems.length > 0)
    throw new PolicyDenied(
      'parameters',
      `only an admin may set these PostgreSQL parameters: ${problems.join('; ')}`,
      'parameters.allow',
    );
}
