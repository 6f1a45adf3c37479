import { lookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, fetch } from 'undici';
import { z } from 'zod';
import { type OAuthClient, redirectUriProblem } from './clients.js';
import { OAuthError } from './errors.js';

/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP
 * 2025-11-25): a client_id that is an HTTPS URL names the JSON document describing the client.
 * Fetching a URL chosen by strangers is guarded against SSRF: HTTPS only, public addresses only
 * (checked on the resolved address the connection uses), no redirects, a small body, a timeout.
 */
const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const DEFAULT_CACHE_SECONDS = 300;
const MAX_CACHE_SECONDS = 24 * 3600;
const MAX_CACHED = 200;

const PRIVATE_RANGES = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv6');
}

export const isPrivateAddress = (address: string) =>
  PRIVATE_RANGES.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** A DNS lookup that refuses names resolving to private, loopback or link-local addresses. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const found = addresses as { address: string; family: number }[];
    const blocked = found.find((entry) => isPrivateAddress(entry.address));
    if (blocked || found.length === 0) {
      return callback(
        Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EPRIVATEADDRESS' }),
        '',
        0,
      );
    }
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: typeof found) => void)(null, found);
    return callback(null, found[0]!.address, found[0]!.family);
  });
};

const documentSchema = z.object({
  client_id: z.string(),
  client_name: z.string().min(1).max(200),
  redirect_uris: z.array(z.string().max(2000)).min(1).max(10),
  token_endpoint_auth_method: z
    .literal('none', { message: 'only public clients (none) are supported' })
    .optional(),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
});

export function isMetadataDocumentUrl(clientId: string): boolean {
  return clientId.startsWith('https://');
}

function urlProblem(clientId: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  if (url.pathname === '/' || url.pathname === '') return 'must have a path';
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) && isPrivateAddress(literal)) return 'names a non-public address';
  return undefined;
}

function cacheSeconds(cacheControl: string | null): number {
  if (!cacheControl) return DEFAULT_CACHE_SECONDS;
  if (/no-store|no-cache/i.test(cacheControl)) return 0;
  const maxAge = /max-age=(\d+)/i.exec(cacheControl);
  return maxAge ? Math.min(Number(maxAge[1]), MAX_CACHE_SECONDS) : DEFAULT_CACHE_SECONDS;
}

export class ClientMetadataDocuments {
  private readonly agent: Agent;
  private readonly cache = new Map<string, { client: OAuthClient; until: number }>();

  constructor(private readonly allowPrivateAddresses: boolean) {
    this.agent = new Agent({
      connect: { timeout: FETCH_TIMEOUT_MS, ...(allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }) },
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
    });
  }

  async client(clientId: string): Promise<OAuthClient> {
    const cached = this.cache.get(clientId);
    if (cached && cached.until > Date.now()) return cached.client;
    const problem = urlProblem(clientId, this.allowPrivateAddresses);
    if (problem) throw new OAuthError('invalid_client', `the client_id URL ${problem}`);
    const { document, maxAge } = await this.fetchDocument(clientId);
    const parsed = documentSchema.safeParse(document);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new OAuthError(
        'invalid_client',
        `the client metadata document at ${clientId} is invalid: ${detail}`,
      );
    }
    if (parsed.data.client_id !== clientId) {
      throw new OAuthError('invalid_client', `the client metadata document's client_id is not ${clientId}`);
    }
    for (const uri of parsed.data.redirect_uris) {
      const uriProblem = redirectUriProblem(uri);
      if (uriProblem) throw new OAuthError('invalid_client', `the client metadata document: ${uriProblem}`);
    }
    const client: OAuthClient = {
      clientId,
      name: parsed.data.client_name,
      redirectUris: parsed.data.redirect_uris,
      authMethod: 'none',
      source: 'metadata-document',
    };
    if (maxAge > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(clientId, { client, until: Date.now() + maxAge * 1000 });
    }
    return client;
  }

  private async fetchDocument(url: string): Promise<{ document: unknown; maxAge: number }> {
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(url, {
        dispatcher: this.agent,
        redirect: 'error',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new OAuthError(
        'invalid_client',
        `the client metadata document at ${url} cannot be fetched: ${cause}`,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new OAuthError(
        'invalid_client',
        `the client metadata document at ${url} answered HTTP ${response.status}`,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > MAX_DOCUMENT_BYTES) {
        throw new OAuthError(
          'invalid_client',
          `the client metadata document at ${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`,
        );
      }
      chunks.push(chunk as Uint8Array);
    }
    try {
      return {
        document: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        maxAge: cacheSeconds(response.headers.get('cache-control')),
      };
    } catch {
      throw new OAuthError('invalid_client', `the client metadata document at ${url} is not JSON`);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
