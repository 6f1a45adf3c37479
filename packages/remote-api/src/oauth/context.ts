import { mcpResource } from '../auth/resource-metadata.js';
import type { RemoteApiConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { ClientMetadataDocuments } from './client-metadata-documents.js';
import { isMetadataDocumentUrl } from './client-metadata-documents.js';
import { type OAuthClient, registeredClient } from './clients.js';
import type { CookieJar } from './cookies.js';
import { OAuthError } from './errors.js';
import type { Sealer } from './sealed.js';
import type { UpstreamProvider } from './upstream.js';

/** What every step of the proxy shares. */
export interface ProxyContext {
  config: RemoteApiConfig;
  /** The public base URL (the proxy's issuer); fixed in proxy mode. */
  base: string;
  sealer: Sealer;
  documents: ClientMetadataDocuments | undefined;
  upstream: UpstreamProvider;
  cookies: CookieJar;
  log: Logger;
  /** Throws when a token from the provider is not one this API accepts (wrong audience, opaque…). */
  checkAccessToken(token: string): Promise<void>;
}

export async function resolveClient(ctx: ProxyContext, clientId: string): Promise<OAuthClient> {
  if (isMetadataDocumentUrl(clientId)) {
    if (!ctx.documents) {
      throw new OAuthError(
        'invalid_client',
        'client metadata documents are not accepted here; register the client',
      );
    }
    return ctx.documents.client(clientId);
  }
  return registeredClient(clientId, ctx.sealer);
}

const OPENID_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * The API scopes a client asks for. None named: all of them (MCP scope selection). OpenID scopes
 * are ignored (the proxy always asks the provider for what it needs); write implies read.
 */
export function requestedScopes(scope: string | undefined, config: RemoteApiConfig): string[] {
  const { read, write } = config.scopes;
  const known = [read, write];
  const asked = (scope ?? '').split(' ').filter((s) => s && !OPENID_SCOPES.has(s));
  const unknown = asked.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new OAuthError(
      'invalid_scope',
      `unknown scope ${unknown.join(' ')}; this server offers ${known.join(' ')}`,
    );
  }
  if (asked.length === 0 || asked.includes(write)) return [read, write];
  return [read];
}

/** RFC 8707: the resource indicator, when given, must be this server's MCP URL. */
export function checkResource(resource: string | undefined, base: string): void {
  if (resource === undefined) return;
  const expected = new URL(mcpResource(base));
  let given: URL | undefined;
  try {
    given = new URL(resource);
  } catch {
    given = undefined;
  }
  const same =
    given !== undefined &&
    given.protocol === expected.protocol &&
    given.host === expected.host &&
    given.pathname.replace(/\/+$/, '') === expected.pathname &&
    !given.search &&
    !given.hash;
  if (!same) throw new OAuthError('invalid_target', `resource must be ${expected.href}, got ${resource}`);
}
