import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import {
  ERROR_HEADER,
  errorBodySchema,
  type LoginAnswer,
  type LoginMode,
  MAX_WAIT_MS,
  type PendingLoginAnswer,
  ROUTES,
  type RouteKey,
  type RouteRequest,
  type RouteResponse,
  SIDECAR_BASE_URL,
  SidecarError,
} from '../api.js';
import { freshConnectionNext } from '../pooled-connections.js';

export interface WaitForLoginOptions {
  /** How long to wait at most (default: until the login expires). */
  timeoutMs?: number;
  /** Stops waiting (the login goes on in the sidecar). */
  signal?: AbortSignal;
}

/** The sidecar's error answer as a SidecarError; an answer it cannot read is ERR_INTERNAL. */
function sidecarError(status: number, value: unknown): SidecarError {
  const parsed = errorBodySchema.safeParse(value);
  return new SidecarError(
    parsed.success ? parsed.data : { code: 'ERR_INTERNAL', message: `the sidecar answered HTTP ${status}` },
  );
}

/** An answer's body as a web stream that reads it as its reader asks. */
function webStream(body: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value as Buffer));
    },
    async cancel() {
      body.destroy();
      await chunks.return?.();
    },
  });
}

async function readBody(body: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readJson(body: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse((await readBody(body)).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Statuses whose answers have no body (a Response with one cannot be made). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Talks to a running sidecar over its Unix socket / named pipe, with node:http: every process
 * that uses it (a stdio server per MCP host window) would otherwise load an HTTP client of
 * ≈ 17 MiB for a local socket. Idle connections are kept until shortly before the sidecar
 * closes them (its Keep-Alive hint), so a request is not written into a closing connection.
 */
export class SidecarClient {
  private readonly agent: Agent;

  constructor(readonly socketPath: string) {
    // The timeout applies to idle connections only (an answer may take minutes: a login wait).
    this.agent = new Agent({ keepAlive: true, timeout: 10_000 });
  }

  private async send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
  ): Promise<IncomingMessage> {
    await freshConnectionNext(this.agent);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          socketPath: this.socketPath,
          agent: this.agent,
          method,
          path,
          headers: { host: new URL(SIDECAR_BASE_URL).host, ...options.headers },
          signal: options.signal,
        },
        resolve,
      );
      req.once('error', reject);
      req.end(options.body);
    });
  }

  /**
   * fetch() over the socket for the MCP SDK's StreamableHTTPClientTransport (`${SIDECAR_BASE_URL}/mcp`).
   * Redirects are never followed (a 3xx is refused), and the sidecar's own error answers are thrown
   * as SidecarError (ERR_LOGIN_REQUIRED carries the login to finish) instead of being returned.
   */
  readonly fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const answer = await this.send(init?.method ?? 'GET', `${url.pathname}${url.search}`, {
      headers: init?.headers ? Object.fromEntries(new Headers(init.headers)) : {},
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal ?? undefined,
    });
    const status = answer.statusCode ?? 502;
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
        headers.append(name, item);
    }
    if (headers.has(ERROR_HEADER)) throw sidecarError(status, await readJson(answer));
    if (status >= 300 && status < 400) {
      answer.resume();
      const location = headers.get('location') ?? undefined;
      throw new SidecarError({
        code: 'ERR_REDIRECT_REFUSED',
        status,
        ...(location === undefined ? {} : { location }),
        message: `the sidecar answered with a redirect (HTTP ${status} to ${location ?? 'nowhere'}); cnpg-mcp never follows redirects`,
      });
    }
    if (NULL_BODY_STATUSES.has(status)) {
      answer.resume();
      return new Response(null, { status, headers });
    }
    // A JSON answer is one complete message: read at once, it spares a web stream per call.
    if (headers.get('content-type')?.startsWith('application/json')) {
      return new Response(await readBody(answer), { status, headers });
    }
    return new Response(webStream(answer), { status, headers });
  };

  private async call<K extends RouteKey>(
    key: K,
    input?: RouteRequest<K>,
    options: { signal?: AbortSignal } = {},
  ): Promise<RouteResponse<K>> {
    const [method, path] = key.split(' ') as ['GET' | 'POST', string];
    const query =
      method === 'GET' && input ? new URLSearchParams(input as Record<string, string>).toString() : '';
    const response = await this.send(method, `${path}${query ? `?${query}` : ''}`, {
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: method === 'POST' ? JSON.stringify(input ?? {}) : undefined,
      signal: options.signal,
    });
    const value = await readJson(response);
    const status = response.statusCode ?? 502;
    if (status >= 400) throw sidecarError(status, value);
    const parsed = ROUTES[key].response.safeParse(value);
    if (!parsed.success) {
      throw new SidecarError({
        code: 'ERR_INTERNAL',
        message: `the sidecar's answer to ${key} is not in the expected form: ${parsed.error.message}`,
      });
    }
    return parsed.data as RouteResponse<K>;
  }

  health(): Promise<RouteResponse<'GET /health'>> {
    return this.call('GET /health');
  }

  /** With `identify`, a login whose user is not known yet (a refresh-token file) is asked who it is. */
  status(options: { identify?: boolean } = {}): Promise<RouteResponse<'GET /status'>> {
    return this.call('GET /status', options.identify ? { identify: 'true' } : undefined);
  }

  /** Starts a login, or joins the one running. */
  login(mode: LoginMode = 'auto'): Promise<RouteResponse<'POST /login'>> {
    return this.call('POST /login', { mode });
  }

  /**
   * Waits for `login` to end (one long request per MAX_WAIT_MS): answers `logged_in` or `failed`,
   * or the login as it still runs when the timeout passed or the signal stopped the wait.
   */
  async waitForLogin(login: PendingLoginAnswer, options: WaitForLoginOptions = {}): Promise<LoginAnswer> {
    const deadline =
      Date.now() + (options.timeoutMs ?? Math.max(0, Date.parse(login.expiresAt) - Date.now()));
    for (;;) {
      const remaining = Math.max(0, deadline - Date.now());
      let answer: LoginAnswer;
      try {
        answer = await this.call(
          'GET /login/wait',
          { login: login.id, timeoutMs: String(Math.min(remaining, MAX_WAIT_MS)) },
          { signal: options.signal },
        );
      } catch (error) {
        if (options.signal?.aborted) return login;
        throw error;
      }
      if (answer.state === 'logged_in' || answer.state === 'failed' || deadline <= Date.now()) return answer;
    }
  }

  pasteRedirectUrl(url: string): Promise<RouteResponse<'POST /login/paste'>> {
    return this.call('POST /login/paste', { url });
  }

  logout(): Promise<RouteResponse<'POST /logout'>> {
    return this.call('POST /logout');
  }

  token(): Promise<RouteResponse<'GET /token'>> {
    return this.call('GET /token');
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
