import { Auth0Error, type RetryPolicy, sendWithRetries } from './management-client.js';
import type { Credentials } from './options.js';

/** The Management API's audience is always the canonical tenant domain's /api/v2/. */
export const managementAudience = (domain: string) => `https://${domain}/api/v2/`;

/** A given token as is, or one fetched with the client credentials grant. */
export async function managementToken(
  credentials: Credentials,
  domain: string,
  baseUrl: URL,
  retry: RetryPolicy,
): Promise<string> {
  if (credentials.kind === 'token') return credentials.token;
  const result = await sendWithRetries<{ access_token?: string; token_type?: string }>(
    new URL('/oauth/token', baseUrl),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        audience: managementAudience(domain),
      }),
    },
    'POST /oauth/token (client credentials)',
    'a client grant for the Management API',
    retry,
    retry.sleep,
  );
  if (!result?.access_token) {
    throw new Auth0Error(
      200,
      'POST /oauth/token',
      'POST /oauth/token: Auth0 answered without an access_token',
    );
  }
  return result.access_token;
}
