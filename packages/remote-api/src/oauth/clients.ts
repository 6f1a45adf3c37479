import { z } from 'zod';
import { OAuthError } from './errors.js';
import type { SealError, Sealer } from './sealed.js';

/** A client of the proxy, whether it registered (RFC 7591) or is named by its metadata document URL. */
export interface OAuthClient {
  clientId: string;
  /** What the consent page calls it; chosen by the client, so never trusted for anything else. */
  name: string;
  redirectUris: string[];
  authMethod: AuthMethod;
  source: 'registration' | 'metadata-document';
}

const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly AuthMethod[] = AUTH_METHODS;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_REDIRECT_URIS = 10;

/** Why a redirect URI is unacceptable, or undefined: HTTPS, or HTTP to loopback (MCP 2025-11-25). */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${uri} is not an absolute URL`;
  }
  if (url.hash) return `${uri} has a fragment`;
  if (url.username || url.password) return `${uri} carries credentials`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `${uri} must use https, or http on localhost/127.0.0.1/[::1]`;
}

export const isLoopbackRedirect = (uri: string) => LOOPBACK_HOSTS.has(new URL(uri).hostname);

const registrationSchema = z.object({
  redirect_uris: z
    .array(z.string().max(2000))
    .min(1, 'expected at least one redirect URI')
    .max(MAX_REDIRECT_URIS, `expected at most ${MAX_REDIRECT_URIS} redirect URIs`),
  client_name: z.string().max(200).optional(),
  client_uri: z.string().max(2000).optional(),
  token_endpoint_auth_method: z
    .enum(AUTH_METHODS, { message: `expected one of ${AUTH_METHODS.join(', ')}` })
    .optional(),
  grant_types: z
    .array(
      z.enum(['authorization_code', 'refresh_token'], {
        message: 'expected authorization_code and refresh_token',
      }),
    )
    .optional(),
  response_types: z.array(z.literal('code', { message: 'expected code' })).optional(),
  scope: z.string().max(1000).optional(),
});

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** RFC 7591 registration: validates the metadata and returns it sealed as the client id. */
export async function registerClient(body: unknown, sealer: Sealer): Promise<Record<string, unknown>> {
  const parsed = registrationSchema.safeParse(body);
  if (!parsed.success) throw new OAuthError('invalid_client_metadata', describe(parsed.error));
  const metadata = parsed.data;
  for (const uri of metadata.redirect_uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new OAuthError('invalid_redirect_uri', problem);
  }
  // RFC 7591 §2: the default method is client_secret_basic.
  const authMethod = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  const grantTypes = metadata.grant_types ?? ['authorization_code'];
  const name = metadata.client_name?.trim() || 'an unnamed application';
  const clientId = await sealer.seal('client', {
    n: name,
    r: metadata.redirect_uris,
    m: authMethod,
  });
  return {
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    ...(authMethod === 'none'
      ? {}
      : { client_secret: sealer.clientSecret(clientId), client_secret_expires_at: 0 }),
    client_name: name,
    redirect_uris: metadata.redirect_uris,
    token_endpoint_auth_method: authMethod,
    grant_types: grantTypes,
    response_types: ['code'],
    ...(metadata.client_uri ? { client_uri: metadata.client_uri } : {}),
    ...(metadata.scope ? { scope: metadata.scope } : {}),
  };
}

/** A registered client from its (sealed) id. */
export async function registeredClient(clientId: string, sealer: Sealer): Promise<OAuthClient> {
  const sealed = await sealer
    .open<{ n: string; r: string[]; m: AuthMethod }>('client', clientId)
    .catch((error: SealError) => {
      throw new OAuthError('invalid_client', `unknown client_id (${error.message}); register again`);
    });
  return { clientId, name: sealed.n, redirectUris: sealed.r, authMethod: sealed.m, source: 'registration' };
}
