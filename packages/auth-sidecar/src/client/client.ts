import { Agent, request, fetch as undiciFetch } from 'undici';
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

/** Talks to a running sidecar over its Unix socket / named pipe. */
export class SidecarClient {
  private readonly agent: Agent;

  constructor(readonly socketPath: string) {
    // No headers timeout: a login wait holds its request open for minutes.
    this.agent = new Agent({
      connect: { socketPath },
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 10_000,
    });
  }

  /**
   * fetch() over the socket for the MCP SDK's StreamableHTTPClientTransport (`${SIDECAR_BASE_URL}/mcp`).
   * Redirects are never followed (a 3xx is refused), and the sidecar's own error answers are thrown
   * as SidecarError (ERR_LOGIN_REQUIRED carries the login to finish) instead of being returned.
   */
  readonly fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const response = (await undiciFetch(input, {
      ...init,
      redirect: 'manual',
      dispatcher: this.agent,
    } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
    if (response.headers.has(ERROR_HEADER)) {
      throw sidecarError(response.status, await response.json().catch(() => undefined));
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location') ?? undefined;
      throw new SidecarError({
        code: 'ERR_REDIRECT_REFUSED',
        status: response.status,
        ...(location === undefined ? {} : { location }),
        message: `the sidecar answered with a redirect (HTTP ${response.status} to ${location ?? 'nowhere'}); cnpg-mcp never follows redirects`,
      });
    }
    return response;
  };

  private async call<K extends RouteKey>(
    key: K,
    input?: RouteRequest<K>,
    options: { signal?: AbortSignal } = {},
  ): Promise<RouteResponse<K>> {
    const [method, path] = key.split(' ') as ['GET' | 'POST', string];
    const query =
      method === 'GET' && input ? new URLSearchParams(input as Record<string, string>).toString() : '';
    const response = await request(`${SIDECAR_BASE_URL}${path}${query ? `?${query}` : ''}`, {
      dispatcher: this.agent,
      method,
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: method === 'POST' ? JSON.stringify(input ?? {}) : undefined,
      signal: options.signal,
    });
    const value: unknown = await response.body.json().catch(() => undefined);
    if (response.statusCode >= 400) throw sidecarError(response.statusCode, value);
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

  close(): Promise<void> {
    return this.agent.close();
  }
}
