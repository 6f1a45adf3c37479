import { Agent, request, fetch as undiciFetch } from 'undici';
import { type LoginMode, type LogoutResponse, SIDECAR_BASE_URL } from '../api.js';
import type { LoginOutcome, LoginStart } from '../daemon/oidc/login.js';
import type { LoginUser } from '../daemon/store/types.js';

export interface SidecarStatus {
  loggedIn: boolean;
  user?: LoginUser;
  accessTokenExpiresAt?: string;
  storeError?: string;
  store: 'keychain' | 'file' | 'env';
  storeLocation: string;
  remoteUrl: string;
  issuer: string;
  loginInProgress: boolean;
  pid: number;
  tcpPort?: number;
}

/** An error answer from the sidecar API ({ error, message }). */
export class SidecarApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SidecarApiError';
  }
}

/** Talks to a running sidecar over its Unix socket / named pipe. */
export class SidecarClient {
  private readonly agent: Agent;

  constructor(readonly socketPath: string) {
    this.agent = new Agent({ connect: { socketPath }, bodyTimeout: 0, keepAliveTimeout: 10_000 });
  }

  /** fetch() over the socket, e.g. for the MCP SDK's StreamableHTTPClientTransport (`${SIDECAR_BASE_URL}/mcp`). */
  readonly fetch = (input: string | URL, init?: RequestInit): Promise<Response> =>
    undiciFetch(input, { ...init, dispatcher: this.agent } as Parameters<
      typeof undiciFetch
    >[1]) as unknown as Promise<Response>;

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await request(`${SIDECAR_BASE_URL}${path}`, {
      dispatcher: this.agent,
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const value = (await response.body.json()) as Record<string, unknown>;
    if (response.statusCode >= 400) {
      throw new SidecarApiError(
        response.statusCode,
        typeof value.error === 'string' ? value.error : 'error',
        typeof value.message === 'string' ? value.message : `sidecar answered ${response.statusCode}`,
      );
    }
    return value as T;
  }

  health(): Promise<{ ok: boolean; pid: number; version: string }> {
    return this.call('GET', '/health');
  }

  status(): Promise<SidecarStatus> {
    return this.call('GET', '/status');
  }

  /** Starts or joins a login; with `unlessLoggedIn`, answers `alreadyLoggedIn` instead when one exists. */
  login(mode: LoginMode = 'auto', options: { unlessLoggedIn?: boolean } = {}): Promise<LoginStart> {
    return this.call('POST', '/login', { mode, ...(options.unlessLoggedIn ? { unlessLoggedIn: true } : {}) });
  }

  waitForLogin(timeoutMs: number): Promise<LoginOutcome> {
    return this.call('GET', `/login/wait?timeoutMs=${Math.max(0, Math.round(timeoutMs))}`);
  }

  pasteRedirectUrl(url: string): Promise<LoginOutcome> {
    return this.call('POST', '/login/paste', { url });
  }

  logout(): Promise<LogoutResponse> {
    return this.call('POST', '/logout');
  }

  token(): Promise<{ access_token: string; expires_at: string }> {
    return this.call('GET', '/token');
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
