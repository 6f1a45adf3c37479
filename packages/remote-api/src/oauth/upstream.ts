import * as oidc from 'openid-client';
import type { ProxyConfig } from '../config.js';
import { OAuthError } from './errors.js';

/**
 * The provider login the proxy runs with its own pre-registered client: PKCE S256, the API audience,
 * offline_access. Plain http is allowed only for a loopback issuer (the local devstack).
 */
export interface UpstreamTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresIn: number | undefined;
  scope: string | undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class UpstreamProvider {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly audience: string,
    private readonly proxy: ProxyConfig,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= (async () => {
      const issuer = new URL(this.issuer);
      const insecureLoopback = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
      const secret = this.proxy.clientSecret;
      const config = await oidc.discovery(
        issuer,
        this.proxy.clientId,
        secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' },
        secret ? oidc.ClientSecretPost(secret) : oidc.None(),
        { execute: insecureLoopback ? [oidc.allowInsecureRequests] : [], timeout: 10 },
      );
      if (!config.serverMetadata().code_challenge_methods_supported?.includes('S256')) {
        throw new Error(`the provider ${this.issuer} does not advertise PKCE S256`);
      }
      return config;
    })().catch((error: unknown) => {
      this.discovered = undefined;
      throw new OAuthError(
        'temporarily_unavailable',
        `the identity provider cannot be reached: ${describeUpstreamError(error)}`,
        503,
      );
    });
    return this.discovered;
  }

  /** `audience` (Auth0), `resource` (RFC 8707) or both, naming the API on every provider request. */
  private audienceParameters(): Record<string, string> {
    const mode = this.proxy.audienceParameter;
    return {
      ...(mode === 'resource' ? {} : { audience: this.audience }),
      ...(mode === 'audience' ? {} : { resource: this.audience }),
    };
  }

  async authorizationUrl(options: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
    scopes: string[];
  }): Promise<URL> {
    const config = await this.configuration();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: options.redirectUri,
      response_type: 'code',
      scope: [...new Set([...this.proxy.upstreamScopes, ...options.scopes])].join(' '),
      state: options.state,
      nonce: options.nonce,
      code_challenge: options.codeChallenge,
      code_challenge_method: 'S256',
      ...this.audienceParameters(),
    });
  }

  /** Redeems the provider's code (single use at the provider, which is what makes ours single use). */
  async exchange(
    callbackUrl: URL,
    checks: { state: string; nonce: string; verifier: string },
  ): Promise<UpstreamTokens> {
    const config = await this.configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        callbackUrl,
        { expectedState: checks.state, expectedNonce: checks.nonce, pkceCodeVerifier: checks.verifier },
        this.audienceParameters(),
      );
      return fromResponse(tokens);
    } catch (error) {
      throw upstreamGrantError(error);
    }
  }

  async refresh(refreshToken: string, scopes: string[] | undefined): Promise<UpstreamTokens> {
    const config = await this.configuration();
    try {
      const tokens = await oidc.refreshTokenGrant(config, refreshToken, {
        ...this.audienceParameters(),
        ...(scopes ? { scope: [...this.proxy.upstreamScopes, ...scopes].join(' ') } : {}),
      });
      return fromResponse(tokens);
    } catch (error) {
      throw upstreamGrantError(error);
    }
  }

  /** The provider's authorization endpoint origin (the consent page's form may lead there). */
  async authorizationOrigin(): Promise<string> {
    const endpoint = (await this.configuration()).serverMetadata().authorization_endpoint;
    return endpoint ? new URL(endpoint).origin : new URL(this.issuer).origin;
  }
}

function fromResponse(tokens: oidc.TokenEndpointResponse): UpstreamTokens {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresIn: tokens.expires_in,
    scope: tokens.scope,
  };
}

/** One line about a provider error, never a request body (it may hold tokens). */
export function describeUpstreamError(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function upstreamGrantError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
    return new OAuthError(
      'invalid_grant',
      `the identity provider refused the grant: ${describeUpstreamError(error)}`,
    );
  }
  return new OAuthError('server_error', `the identity provider failed: ${describeUpstreamError(error)}`, 502);
}
