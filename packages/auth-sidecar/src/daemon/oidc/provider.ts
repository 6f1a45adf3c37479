import * as oidc from 'openid-client';
import { SidecarError } from '../../api.js';
import type { Settings } from '../../settings.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type ProviderSettings = Pick<Settings, 'issuer' | 'clientId' | 'audience' | 'resource' | 'scopes'>;

/**
 * Discovers the provider. Plain http is allowed only for a loopback issuer (the local devstack);
 * a provider that does not advertise PKCE S256 is refused.
 */
export async function discoverProvider(
  settings: ProviderSettings,
  fetch: oidc.CustomFetch | undefined,
): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  const insecureLoopback = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(
      issuer,
      settings.clientId,
      { token_endpoint_auth_method: 'none' },
      oidc.None(),
      {
        ...(fetch ? { [oidc.customFetch]: fetch } : {}),
        execute: insecureLoopback ? [oidc.allowInsecureRequests] : [],
        timeout: 30,
      },
    );
  } catch (error) {
    throw new SidecarError({
      code: 'ERR_PROVIDER_FAILED',
      message: `OpenID discovery at ${settings.issuer} failed: ${describeOidcError(error)}`,
    });
  }
  const methods = config.serverMetadata().code_challenge_methods_supported;
  if (!methods?.includes('S256')) {
    throw new SidecarError({
      code: 'ERR_PROVIDER_FAILED',
      message: `The provider ${settings.issuer} does not advertise PKCE S256 (code_challenge_methods_supported); refusing to log in`,
    });
  }
  return config;
}

/** `audience` (Auth0) and `resource` (RFC 8707) as configured: sent on authorize, token and refresh. */
export function resourceParameters(settings: ProviderSettings): Record<string, string> {
  const params: Record<string, string> = {};
  if (settings.audience) params.audience = settings.audience;
  if (settings.resource) params.resource = settings.resource;
  return params;
}

export function isInvalidGrant(error: unknown): boolean {
  return error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant';
}

/** One line about an openid-client error, without request bodies (they may hold tokens). */
export function describeOidcError(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
