import {
  defaultCacheDir,
  type Env,
  envName,
  flagName,
  givenSetting,
  type LoadSettingsOptions,
  type ResolvedSettings,
  resolveSettings,
  type SettingName,
  SettingsError,
} from '@cnpg-mcp/auth-sidecar/config';
import { type Discovery, DiscoveryError, discoverFromRemote } from './discovery.js';
import { discoveryCachePath, readDiscoveryCache, writeDiscoveryCache } from './discovery-cache.js';

/** How the settings the remote publishes were obtained this time. */
export type DiscoveryState =
  | { state: 'not-needed' }
  | { state: 'discovered'; discovery: Discovery }
  | { state: 'cached'; discovery: Discovery; cachePath: string; refreshError?: string }
  /** Nothing cached, and the remote could not be asked (`error`) or was not (no network allowed). */
  | { state: 'unavailable'; error?: string };

export interface SettingsFor extends ResolvedSettings {
  discovery: DiscoveryState;
}

export interface ResolveOptions {
  /** Ask the remote when nothing is cached (a command, the first call); false: only what is at hand. */
  network: boolean;
  /** Ask the remote even when something is cached, and cache the answer (doctor, login). */
  refresh?: boolean;
}

/** Settings the remote publishes that are needed to log in at all. */
const REQUIRED_FROM_REMOTE = ['issuer', 'clientId'] as const satisfies SettingName[];

function hint(missing: readonly SettingName[], discovery: Discovery | undefined, failure?: string): string {
  const names = missing.map((name) => `${name} (${flagName(name)}, ${envName(name)})`);
  if (failure) return `\n${failure}. Without it, set ${names.join(' and ')} explicitly.`;
  if (discovery) {
    return (
      `\nThe remote API's metadata (${discovery.url}) does not publish ${missing.join(' or ')} for desktop ` +
      `clients; set ${names.join(' and ')} explicitly, or ask its operator to configure DESKTOP_CLIENT_ID.`
    );
  }
  return '';
}

/**
 * The settings of this invocation: what was given (flags, environment, config file) wins; what
 * is missing is taken from what the remote API publishes (RFC 9728 metadata), read from the cache
 * when it is there (start-up stays offline) and asked for, then cached, when it is not.
 */
export async function resolveSettingsFor(
  input: LoadSettingsOptions,
  options: ResolveOptions,
): Promise<SettingsFor> {
  const env: Env = input.env ?? process.env;
  const remoteUrl = givenSetting('remoteUrl', input);
  const missing = REQUIRED_FROM_REMOTE.filter((name) => givenSetting(name, input) === undefined);
  if (typeof remoteUrl !== 'string' || missing.length === 0) {
    return { ...resolveSettings(input), discovery: { state: 'not-needed' } };
  }
  const cachePath = discoveryCachePath(defaultCacheDir(env), remoteUrl);
  const cached = await readDiscoveryCache(cachePath, remoteUrl);
  let state: DiscoveryState | undefined =
    cached && !options.refresh ? { state: 'cached', discovery: cached, cachePath } : undefined;
  let failure: string | undefined;
  // A remote URL that is not one fails below, with the other settings, naming the setting.
  if (!state && options.network && URL.canParse(remoteUrl)) {
    try {
      const discovery = await discoverFromRemote(remoteUrl, env);
      await writeDiscoveryCache(cachePath, discovery);
      state = { state: 'discovered', discovery };
    } catch (error) {
      if (!(error instanceof DiscoveryError)) throw error;
      failure = error.message;
      if (cached) state = { state: 'cached', discovery: cached, cachePath, refreshError: failure };
    }
  }
  state ??= { state: 'unavailable', ...(failure ? { error: failure } : {}) };
  const discovery = state.state === 'cached' || state.state === 'discovered' ? state.discovery : undefined;
  const discovered = discovery
    ? {
        values: discovery.values,
        source: state.state === 'cached' ? ('cached' as const) : ('discovered' as const),
        from: state.state === 'cached' ? cachePath : discovery.url,
      }
    : undefined;
  try {
    return { ...resolveSettings({ ...input, discovered }), discovery: state };
  } catch (error) {
    const stillMissing = missing.filter((name) => discovery?.values[name] === undefined);
    if (!(error instanceof SettingsError) || stillMissing.length === 0) throw error;
    throw new SettingsError(`${error.message}${hint(stillMissing, discovery, failure)}`, error.problems);
  }
}
