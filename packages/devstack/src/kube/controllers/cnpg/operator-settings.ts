/** What the emulated CloudNativePG installation has and how fast its long operations go. */
export interface OperatorSettings {
  /**
   * The CNPG-i plugins the operator has found (registered through their Services). A cluster that
   * enables another plugin cannot be reconciled by it, and its backups get no phase.
   */
  plugins: ReadonlySet<string>;
  /** How long a backup stays running before it completes, in ms of the emulator's clock. */
  backupDurationMs: number;
}

export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** The enabled plugins of a cluster (`spec.plugins[]` with `enabled` not false). */
export function enabledPlugins(clusterSpec: Record<string, unknown>): string[] {
  const plugins = Array.isArray(clusterSpec.plugins) ? clusterSpec.plugins : [];
  return plugins
    .filter((p) => typeof p === 'object' && p !== null && (p as { enabled?: unknown }).enabled !== false)
    .map((p) => String((p as { name?: unknown }).name));
}

/** The enabled plugins this operator does not have. */
export function unknownPlugins(clusterSpec: Record<string, unknown>, settings: OperatorSettings): string[] {
  return enabledPlugins(clusterSpec).filter((name) => !settings.plugins.has(name));
}
