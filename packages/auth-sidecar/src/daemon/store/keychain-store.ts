import type { KeychainProblem } from '../../api.js';
import { TimeoutError, withTimeout } from './timeout.js';
import {
  accountName,
  parseStoredLogin,
  type StoredLogin,
  type StoreIdentity,
  type TokenStore,
} from './types.js';

export const KEYCHAIN_SERVICE = 'cnpg-mcp';

/**
 * The part of keytar's API this store uses, declared here: keytar is an optional native module
 * that may be absent (it failed to build), so the source must compile without its types.
 */
interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

const STALL_COOLDOWN_MS = 30_000;
/** Windows Credential Manager holds at most 2560 bytes per secret: stay well below it. */
const MAX_SECRET_CHARS = 1200;

/** The stored JSON; metadata is dropped when a long refresh token would not fit otherwise. */
export function keychainValue(login: StoredLogin): string {
  const full = JSON.stringify(login);
  if (full.length <= MAX_SECRET_CHARS) return full;
  return JSON.stringify({ refreshToken: login.refreshToken, savedAt: login.savedAt });
}

const FILE_STORE_HINT =
  'Or keep the refresh token in a file instead (mode 0600): set CNPG_MCP_TOKEN_STORE=file. ' +
  'On machines without any browser, CNPG_MCP_REFRESH_TOKEN_FILE also works.';

/** The keychain cannot be used; `problem` says why and the message says what to do. */
export class KeychainUnavailableError extends Error {
  constructor(
    readonly problem: KeychainProblem,
    message: string,
  ) {
    super(`${message} ${FILE_STORE_HINT}`);
    this.name = 'KeychainUnavailableError';
  }
}

/** Turns keytar's code-less errors into one of a few known causes with advice. */
export function classifyKeychainError(error: unknown): KeychainUnavailableError {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof KeychainUnavailableError) return error;
  if (error instanceof TimeoutError) {
    return new KeychainUnavailableError(
      'timeout',
      `The OS keychain did not answer (${text}); it may be locked and waiting for an unlock prompt.`,
    );
  }
  if (
    /autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Failed to connect to socket|Could not connect to.*bus/i.test(
      text,
    )
  ) {
    return new KeychainUnavailableError(
      'no-dbus',
      'The OS keychain is unavailable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, ' +
        'typical over SSH, in containers and in WSL). Run inside a desktop session or start one with ' +
        '`dbus-run-session` and an unlocked gnome-keyring.',
    );
  }
  if (/org\.freedesktop\.secrets/i.test(text)) {
    return new KeychainUnavailableError(
      'no-secret-service',
      'The OS keychain is unavailable: the D-Bus session has no Secret Service ' +
        '(org.freedesktop.secrets). Install and start gnome-keyring (or KeePassXC with Secret Service enabled).',
    );
  }
  if (/Object does not exist at path|collection\/login|locked|prompt/i.test(text)) {
    return new KeychainUnavailableError(
      'locked',
      'The OS keychain is locked (the login collection is not unlocked). Unlock it, e.g. log into the ' +
        'desktop session or run `gnome-keyring-daemon --unlock`, then retry.',
    );
  }
  return new KeychainUnavailableError('error', `The OS keychain failed: ${text}.`);
}

export interface KeychainStoreOptions {
  /** Bound for every keychain call (default 5000 ms): a locked keyring can otherwise hang forever. */
  timeoutMs?: number;
  /** Module to load (default 'keytar'); loaded lazily on first use. */
  keytarModule?: string;
}

/**
 * OS keychain through keytar: service `cnpg-mcp`, account `issuer|clientId|audience`. Holds only the
 * refresh token and small metadata (fits Windows' 2560-byte limit). keytar is optional and imported
 * on first use; a set/get/delete probe runs once before the first real call.
 */
export class KeychainTokenStore implements TokenStore {
  readonly kind = 'keychain' as const;
  readonly location: string;
  private readonly account: string;
  private readonly timeoutMs: number;
  private readonly keytarModule: string;
  private ready: Promise<Keytar> | undefined;
  private stalled: { until: number; error: KeychainUnavailableError } | undefined;

  constructor(identity: StoreIdentity, options: KeychainStoreOptions = {}) {
    this.account = accountName(identity);
    this.location = `OS keychain (service ${KEYCHAIN_SERVICE}, account ${this.account})`;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.keytarModule = options.keytarModule ?? 'keytar';
  }

  /** Loads keytar and proves set/get/delete work; throws KeychainUnavailableError saying why not. */
  probe(): Promise<Keytar> {
    this.ready ??= this.loadAndProbe();
    // A failed probe is not cached forever: the person may unlock the keyring and retry.
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  private async loadAndProbe(): Promise<Keytar> {
    let keytar: Keytar;
    try {
      const mod = (await import(this.keytarModule)) as Keytar & { default?: Keytar };
      keytar = mod.default ?? mod;
      if (typeof keytar.getPassword !== 'function') throw new Error('module has no getPassword()');
    } catch (error) {
      throw new KeychainUnavailableError(
        'not-built',
        `The OS keychain module (keytar) could not be loaded: ${(error as Error).message}. It is an optional ` +
          'native dependency; reinstall with libsecret-1-dev and pkg-config present (Linux) so it can build.',
      );
    }
    const probeAccount = `probe:${process.pid}:${Date.now()}`;
    try {
      await this.call('setPassword', () => keytar.setPassword(KEYCHAIN_SERVICE, probeAccount, 'probe'));
      const read = await this.call('getPassword', () => keytar.getPassword(KEYCHAIN_SERVICE, probeAccount));
      await this.call('deletePassword', () => keytar.deletePassword(KEYCHAIN_SERVICE, probeAccount));
      if (read !== 'probe') throw new Error('a value written to the keychain could not be read back');
    } catch (error) {
      throw classifyKeychainError(error);
    }
    return keytar;
  }

  /**
   * Runs one keychain call bounded by the timeout. A call that timed out still occupies a libuv
   * worker thread until D-Bus gives up, so for a while afterwards calls fail fast instead of
   * piling up more stuck threads (which would also stall file I/O).
   */
  private async call<T>(what: string, invoke: () => Promise<T>): Promise<T> {
    if (this.stalled && Date.now() < this.stalled.until) throw this.stalled.error;
    try {
      return await withTimeout(invoke(), this.timeoutMs, `keychain ${what}`);
    } catch (error) {
      if (error instanceof TimeoutError) {
        this.stalled = { until: Date.now() + STALL_COOLDOWN_MS, error: classifyKeychainError(error) };
      }
      throw error;
    }
  }

  async load(): Promise<StoredLogin | undefined> {
    const keytar = await this.probe();
    try {
      const text = await this.call('getPassword', () => keytar.getPassword(KEYCHAIN_SERVICE, this.account));
      return text ? parseStoredLogin(text) : undefined;
    } catch (error) {
      throw classifyKeychainError(error);
    }
  }

  async save(login: StoredLogin): Promise<void> {
    const keytar = await this.probe();
    const value = keychainValue(login);
    try {
      await this.call('setPassword', () => keytar.setPassword(KEYCHAIN_SERVICE, this.account, value));
    } catch (error) {
      throw classifyKeychainError(error);
    }
  }

  async clear(): Promise<void> {
    const keytar = await this.probe();
    try {
      await this.call('deletePassword', () => keytar.deletePassword(KEYCHAIN_SERVICE, this.account));
    } catch (error) {
      throw classifyKeychainError(error);
    }
  }
}
