import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import type { StoredLogin, TokenStore } from './types.js';

/**
 * Headless store: the refresh token comes from CNPG_MCP_REFRESH_TOKEN or from a file
 * (CNPG_MCP_REFRESH_TOKEN_FILE / refreshTokenFile). No keychain, no browser. Rotated tokens are
 * written back to the file when one was given (re-read on every load, so processes sharing the
 * file under the refresh lock see each other's rotations), otherwise kept in memory.
 * clear() forgets the token in this process but never deletes a file the user provided.
 */
export class EnvTokenStore implements TokenStore {
  readonly kind = 'env' as const;
  readonly location: string;
  private memory: StoredLogin | undefined;
  private cleared = false;

  constructor(
    initialToken: string | undefined,
    private readonly file: string | undefined,
  ) {
    this.location = file
      ? `file ${file} (CNPG_MCP_REFRESH_TOKEN_FILE)`
      : 'environment CNPG_MCP_REFRESH_TOKEN';
    if (!file && initialToken)
      this.memory = { refreshToken: initialToken.trim(), savedAt: new Date().toISOString() };
  }

  async load(): Promise<StoredLogin | undefined> {
    if (this.cleared) return undefined;
    if (!this.file) return this.memory;
    let text: string;
    try {
      text = (await readFile(this.file, 'utf8')).trim();
    } catch (error) {
      throw new Error(`Cannot read the refresh token file ${this.file}: ${(error as Error).message}`);
    }
    if (!text) return undefined;
    if (this.memory?.refreshToken === text) return this.memory;
    return { refreshToken: text, savedAt: new Date().toISOString() };
  }

  async save(login: StoredLogin): Promise<void> {
    this.cleared = false;
    this.memory = login;
    if (this.file) await writeFileAtomic(this.file, `${login.refreshToken}\n`);
  }

  async clear(): Promise<void> {
    this.cleared = true;
    this.memory = undefined;
  }
}
