// Loaded only when the remote is asked (discovery), never on a start that reads the cache: the
// HTTP client that honours HTTPS_PROXY / NO_PROXY (undici, through the sidecar's dispatcher) is large.
import { createDispatcher } from '@cnpg-mcp/auth-sidecar';
import type { Env } from '@cnpg-mcp/auth-sidecar/config';
import { request } from 'undici';

/** GETs each URL in turn with one proxy-aware dispatcher; no redirect is followed. */
export async function getEach<T>(
  urls: readonly string[],
  env: Env,
  timeoutMs: number,
  use: (url: string, answer: { status: number; text: string }) => T | undefined,
): Promise<T | undefined> {
  const dispatcher = createDispatcher(env);
  try {
    for (const url of urls) {
      const response = await request(url, {
        dispatcher,
        headers: { accept: 'application/json' },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      }).catch((error: unknown) => {
        throw new Error(`Could not reach ${url}: ${(error as Error).message}`);
      });
      const found = use(url, { status: response.statusCode, text: await response.body.text() });
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    await dispatcher.close();
  }
}
