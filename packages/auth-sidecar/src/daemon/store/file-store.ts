import { chmod, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, shortHash } from '../../paths.js';
import { writeFileAtomic } from '../atomic-file.js';
import {
  accountName,
  parseStoredLogin,
  type StoredLogin,
  type StoreIdentity,
  type TokenStore,
} from './types.js';

/**
 * Plain file store: <configDir>/credentials/<hash>.json, mode 0600 in a 0700 directory, written
 * atomically. Used only when chosen explicitly (CNPG_MCP_TOKEN_STORE=file); creation is announced.
 */
export class FileTokenStore implements TokenStore {
  readonly kind = 'file' as const;
  readonly location: string;
  private readonly dir: string;
  private readonly account: string;

  constructor(configDir: string, identity: StoreIdentity, announce: (line: string) => void) {
    this.dir = join(configDir, 'credentials');
    this.account = accountName(identity);
    this.location = join(this.dir, `${shortHash(this.account)}.json`);
    announce(
      `cnpg-mcp: token store is a FILE (CNPG_MCP_TOKEN_STORE=file): ${this.location} (mode 0600). ` +
        'Anyone who can read it as you can use your login; the OS keychain is the safer default.',
    );
  }

  async load(): Promise<StoredLogin | undefined> {
    let text: string;
    try {
      const info = await stat(this.location);
      if ((info.mode & 0o077) !== 0) await chmod(this.location, 0o600);
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let record: { account?: unknown; login?: unknown };
    try {
      record = JSON.parse(text) as typeof record;
    } catch {
      throw new Error(`The credentials file ${this.location} is corrupt; delete it and log in again`);
    }
    if (record.account !== this.account) return undefined;
    return parseStoredLogin(JSON.stringify(record.login));
  }

  async save(login: StoredLogin): Promise<void> {
    await ensurePrivateDir(this.dir);
    await writeFileAtomic(this.location, `${JSON.stringify({ account: this.account, login }, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    await unlink(this.location).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
