import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

export type AuthFailureReason =
  | 'missing_token'
  | 'malformed_header'
  | 'token_too_large'
  | 'encrypted_token'
  | 'not_a_jwt'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims'
  | 'jwks_unavailable'
  | 'insufficient_scope';

/** Why a request was refused; `status` is 401 for token problems, 403 for scope, 503 when keys cannot be fetched. */
export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    readonly status: 401 | 403 | 503 = 401,
    readonly scope?: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Other names of this API a token's `aud` may carry (its MCP URL, for RFC 8707 providers). */
  alsoAcceptedAudiences?: string[];
  algorithms: string[];
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  getKey: JWTVerifyGetKey;
  /** Checks opaque (non-JWT) tokens by RFC 7662 introspection when configured. */
  introspect?: ((token: string) => Promise<VerifiedToken>) | undefined;
}

export interface VerifiedToken {
  claims: JWTPayload & Record<string, unknown>;
  scopes: string[];
}

/** Reads the bearer token from an Authorization header value (RFC 6750 §2.1). */
export function bearerFromHeader(header: string | undefined): string {
  if (header === undefined || header === '') throw new AuthError('missing_token', 'no bearer token');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1])
    throw new AuthError('malformed_header', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/** Scopes from `scope` (space-separated, RFC 9068), `scp` (array or string) and Auth0's `permissions`. */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') for (const s of value.split(' ')) if (s) found.add(s);
    if (Array.isArray(value)) for (const s of value) if (typeof s === 'string' && s) found.add(s);
  };
  add(claims.scope);
  add(claims.scp);
  add(claims.permissions);
  return [...found];
}

const normaliseIssuer = (issuer: string) => issuer.replace(/\/+$/, '');

export async function verifyAccessToken(token: string, options: VerifierOptions): Promise<VerifiedToken> {
  if (Buffer.byteLength(token) > options.maxTokenBytes) {
    throw new AuthError('token_too_large', `the token is larger than ${options.maxTokenBytes} bytes`);
  }
  const parts = token.split('.');
  if (parts.length === 5) {
    throw new AuthError(
      'encrypted_token',
      `the token is encrypted (JWE); request an access token for this API's audience (audience=${options.audience} or resource=${options.audience})`,
    );
  }
  if (parts.length !== 3) {
    if (options.introspect) return options.introspect(token);
    throw new AuthError(
      'not_a_jwt',
      `the token is not a JWT (opaque token?); request an access token for this API's audience (audience=${options.audience} or resource=${options.audience})`,
    );
  }
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new AuthError('not_a_jwt', 'the token header is not valid base64url JSON');
  }
  if (!alg || !options.algorithms.includes(alg)) {
    throw new AuthError('algorithm_not_allowed', `algorithm ${alg ?? '(none)'} is not allowed`);
  }
  const issuer = normaliseIssuer(options.issuer);
  try {
    const { payload } = await jwtVerify(token, options.getKey, {
      issuer: [issuer, `${issuer}/`],
      audience: [options.audience, ...(options.alsoAcceptedAudiences ?? [])],
      algorithms: options.algorithms,
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub', 'iss'],
    });
    const claims = payload as JWTPayload & Record<string, unknown>;
    // jose checks exp and nbf but accepts an `iat` in the future; a token minted ahead of time
    // (clock abuse or a forged issuer clock) is refused here.
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + options.clockToleranceSeconds) {
      throw new AuthError('invalid_claims', 'the token was issued in the future (iat)');
    }
    return { claims, scopes: scopesOf(claims) };
  } catch (error) {
    throw translateJoseError(error, options);
  }
}

function translateJoseError(error: unknown, options: VerifierOptions): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss')
      return new AuthError('wrong_issuer', `the token issuer is not ${options.issuer}`);
    if (error.claim === 'aud')
      return new AuthError('wrong_audience', `the token audience does not include ${options.audience}`);
    if (error.claim === 'nbf') return new AuthError('not_yet_valid', 'the token is not valid yet (nbf)');
    return new AuthError('invalid_claims', `the token claim ${error.claim} is invalid: ${error.reason}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return new AuthError('unknown_key', 'no signing key of the issuer matches the token');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('bad_signature', 'the token signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new AuthError('algorithm_not_allowed', 'the token algorithm is not allowed');
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return new AuthError('not_a_jwt', `the token is malformed: ${error.message}`);
  }
  if (
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid
  ) {
    return new AuthError(
      'jwks_unavailable',
      'the issuer signing keys cannot be fetched right now; try again',
      503,
    );
  }
  return new AuthError('invalid_claims', `the token is invalid: ${(error as Error).message}`);
}
