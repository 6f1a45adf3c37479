// What a program needs before it talks to anything: the settings, the per-user directories and
// log redaction; no network, OIDC or keychain code. The stdio server's start-up imports only this
// entry, so its bundle does not load the rest until a call needs it.
export { defaultCacheDir, defaultConfigDir, defaultRuntimeDir, type Env } from './paths.js';
export { redactText } from './redact.js';
export {
  DEFAULT_SCOPES,
  envName,
  flagName,
  givenSetting,
  type LoadSettingsOptions,
  loadSettings,
  type ResolvedSettings,
  resolveSettings,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  type SettingSource,
  type Settings,
  SettingsError,
  type SettingValue,
} from './settings.js';
