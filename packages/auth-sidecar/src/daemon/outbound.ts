import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { CustomFetch } from 'openid-client';
import type { Dispatcher } from 'undici';
import type { Env } from '../paths.js';
import { freshConnectionNext } from '../pooled-connections.js';

export interface OutboundRequest {
  method: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  signal: AbortSignal;
  /** How long the remote may take to send its response headers once the request went out. */
  headersTimeoutMs: number;
}

export interface OutboundResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** The remote sent no response headers within OutboundRequest.headersTimeoutMs. */
export class AnswerTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'AnswerTimeoutError';
  }
}

/**
 * The sidecar's outbound HTTP: forwarded calls (`send`, never following a redirect) and
 * openid-client's fetch (`oidcFetch`; undefined means Node's global fetch).
 */
export interface Outbound {
  send(url: URL, request: OutboundRequest): Promise<OutboundResponse>;
  readonly oidcFetch: CustomFetch | undefined;
  close(): Promise<void>;
}

/** Whether the environment names an HTTP(S) proxy (NO_PROXY is then applied by undici). */
export function proxyConfigured(env: Env): boolean {
  return [env.HTTP_PROXY, env.http_proxy, env.HTTPS_PROXY, env.https_proxy].some((value) => !!value);
}

/**
 * Without a proxy, node:http(s) with keep-alive agents (undici the package costs ≈ 17–20 MiB of RSS
 * in a process that otherwise needs none of it); with HTTP(S)_PROXY set, undici's
 * EnvHttpProxyAgent (createDispatcher), loaded only then.
 */
export function createOutbound(env: Env = process.env): Outbound {
  return proxyConfigured(env) ? throughUndici(env) : throughNodeHttp();
}

function throughNodeHttp(): Outbound {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
  };
  const send = async (url: URL, options: OutboundRequest) => {
    const secure = url.protocol === 'https:';
    const agent = secure ? agents['https:'] : agents['http:'];
    await freshConnectionNext(agent);
    return new Promise<OutboundResponse>((resolve, reject) => {
      const headers = options.body
        ? { ...options.headers, 'content-length': String(options.body.length) }
        : options.headers;
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: options.method,
        headers,
        agent,
        signal: options.signal,
      });
      const timer = setTimeout(
        () => req.destroy(new AnswerTimeoutError(options.headersTimeoutMs)),
        options.headersTimeoutMs,
      );
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(options.body);
    });
  };
  return {
    send,
    oidcFetch: undefined,
    close: async () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function throughUndici(env: Env): Outbound {
  let loaded: Promise<{ undici: typeof import('undici'); dispatcher: Dispatcher }> | undefined;
  const load = () => {
    loaded ??= Promise.all([import('undici'), import('./http-client.js')]).then(([undici, client]) => ({
      undici,
      dispatcher: client.createDispatcher(env),
    }));
    return loaded;
  };
  return {
    async send(url, options) {
      const { undici, dispatcher } = await load();
      try {
        const response = await undici.request(url, {
          dispatcher,
          method: options.method as Dispatcher.HttpMethod,
          headers: options.headers,
          body: options.body,
          signal: options.signal,
          headersTimeout: options.headersTimeoutMs,
        });
        return { statusCode: response.statusCode, headers: response.headers, body: response.body };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw code === 'UND_ERR_HEADERS_TIMEOUT' ? new AnswerTimeoutError(options.headersTimeoutMs) : error;
      }
    },
    oidcFetch: async (url, options) => {
      const { undici, dispatcher } = await load();
      return undici.fetch(url, { ...options, dispatcher } as Parameters<
        typeof undici.fetch
      >[1]) as unknown as Promise<Response>;
    },
    close: async () => {
      if (loaded) await (await loaded).dispatcher.destroy();
    },
  };
}
