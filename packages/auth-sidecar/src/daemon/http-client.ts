import { type Dispatcher, EnvHttpProxyAgent } from 'undici';
import type { Env } from '../paths.js';

/**
 * The one outbound HTTP agent: keep-alive pools per origin, HTTP(S)_PROXY / NO_PROXY honoured
 * (EnvHttpProxyAgent), TLS trust from Node's store, which includes NODE_EXTRA_CA_CERTS.
 * bodyTimeout is off because SSE streams may stay quiet for a long time.
 */
export function createDispatcher(env: Env = process.env): Dispatcher {
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy ?? '',
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? '',
    noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
    keepAliveTimeout: 30_000,
    connections: 64,
    headersTimeout: 60_000,
    bodyTimeout: 0,
  });
}
