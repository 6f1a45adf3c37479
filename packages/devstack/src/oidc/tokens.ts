import * as oidcClient from 'openid-client';
import { loginAsPerson } from './person.js';
import { DEFAULT_REDIRECT_URI, type DevOidc } from './provider.js';
import { DEV_USERS } from './users.js';

export const DEFAULT_SCOPE = 'openid profile email offline_access mcp:read mcp:write';

export interface DevTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
}

export async function discoverDevClient(
  oidc: Pick<DevOidc, 'issuer' | 'clientId'>,
): Promise<oidcClient.Configuration> {
  return oidcClient.discovery(new URL(oidc.issuer), oidc.clientId, undefined, oidcClient.None(), {
    execute: [oidcClient.allowInsecureRequests],
  });
}

/**
 * Tokens from a complete Authorization Code + PKCE login by one of the devstack users, for tests
 * that need a real access token (the login pages are driven as a person would).
 */
export async function loginForTokens(
  oidc: Pick<DevOidc, 'issuer' | 'clientId' | 'audience'>,
  options: { username?: string; scope?: string; audience?: string | null } = {},
): Promise<DevTokens> {
  const username = options.username ?? 'alice';
  const user = DEV_USERS.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`no devstack user named ${username}`);
  const config = await discoverDevClient(oidc);
  const verifier = oidcClient.randomPKCECodeVerifier();
  const state = oidcClient.randomState();
  const nonce = oidcClient.randomNonce();
  const audience = options.audience === undefined ? oidc.audience : options.audience;
  const audienceParam: Record<string, string> = audience === null ? {} : { audience };
  const url = oidcClient.buildAuthorizationUrl(config, {
    redirect_uri: DEFAULT_REDIRECT_URI,
    scope: options.scope ?? DEFAULT_SCOPE,
    code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...audienceParam,
  });
  const { callbackUrl } = await loginAsPerson(url.href, user, { followCallback: false });
  const tokens = await oidcClient.authorizationCodeGrant(
    config,
    new URL(callbackUrl),
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
    audienceParam,
  );
  return {
    access_token: tokens.access_token,
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
    ...(tokens.expires_in === undefined ? {} : { expires_in: tokens.expires_in }),
    ...(tokens.scope ? { scope: tokens.scope } : {}),
  };
}
