import { request } from 'undici';

/** A Management API (or /oauth/token) failure, worded for the person running the command. */
export class Auth0Error extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    message: string,
  ) {
    super(message);
    this.name = 'Auth0Error';
  }
}

export interface RetryPolicy {
  maxRetries: number;
  maxWaitSeconds: number;
  /** Injected for tests that measure waits; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** The Management API scope each call needs, named in 403 errors when Auth0's message does not say. */
export function scopeFor(method: string, path: string): string {
  const resource = path.startsWith('/api/v2/resource-servers')
    ? 'resource_servers'
    : path.startsWith('/api/v2/clients')
      ? 'clients'
      : 'actions';
  if (path.includes('/triggers/')) return method === 'GET' ? 'read:triggers' : 'update:triggers';
  if (method === 'GET') return `read:${resource}`;
  if (method === 'POST') return `create:${resource}`;
  if (method === 'PATCH') return `update:${resource}`;
  return `delete:${resource}`;
}

interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  errorCode?: string;
  error_description?: string;
}

function describeFailure(status: number, operation: string, body: ErrorBody, scope: string): string {
  const said = body.message ?? body.error_description ?? body.error ?? '';
  if (operation.startsWith('POST /oauth/token') && (status === 401 || status === 403)) {
    return status === 401
      ? `${operation}: Auth0 rejected AUTH0_MANAGEMENT_CLIENT_ID / AUTH0_MANAGEMENT_CLIENT_SECRET (401${said ? `: ${said}` : ''}); check both values.`
      : `${operation}: that application may not call the Management API (403${said ? `: ${said}` : ''}). Authorize it under Applications → APIs → Auth0 Management API → Machine to Machine Applications with the scopes listed in docs/auth0.md.`;
  }
  switch (status) {
    case 401:
      return `${operation}: Auth0 refused the Management API token (401${said ? `: ${said}` : ''}). The token is missing, expired or for another tenant: get a new one (or check AUTH0_MANAGEMENT_CLIENT_ID/SECRET).`;
    case 403: {
      const expected = /expected (?:any of|all of)?:?\s*([\w:, ]+)/i.exec(said)?.[1]?.trim();
      return `${operation}: the Management API token lacks permission (403${said ? `: ${said}` : ''}). Grant the scope ${expected ?? scope} to the token's application (Applications → APIs → Auth0 Management API → Machine to Machine Applications).`;
    }
    case 409:
      return `${operation}: conflict (409${said ? `: ${said}` : ''}). Something with the same identifier or name was created meanwhile (another run, or a person in the dashboard); run the command again, or pass --app-client-id to pick the application.`;
    case 429:
      return `${operation}: Auth0 rate limit still exceeded after the allowed retries (429${said ? `: ${said}` : ''}); wait a minute and run the command again.`;
    default:
      return `${operation}: Auth0 answered ${status}${said ? `: ${said}` : ''}`;
  }
}

/** Seconds to wait before retrying a 429: Retry-After (seconds or HTTP date), else X-RateLimit-Reset. */
export function retryDelaySeconds(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = first('retry-after');
  if (retryAfter !== undefined) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim());
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const reset = first('x-ratelimit-reset');
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    return Math.max(0, Number(reset.trim()) - Math.floor(now / 1000));
  }
  return 1;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** JSON over HTTPS with 429 retries; every failure becomes an Auth0Error. Never prints the token. */
export class ManagementClient {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly baseUrl: URL,
    private readonly token: string,
    private readonly retry: RetryPolicy,
  ) {
    this.sleep = retry.sleep ?? realSleep;
  }

  get<T>(path: string, query?: Record<string, string | number | boolean>): Promise<T> {
    return this.call<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  /** GET that answers undefined for 404 instead of failing. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof Auth0Error && error.status === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body: unknown,
    query?: Record<string, string | number | boolean>,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, String(value));
    const operation = `${method} ${path}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return sendWithRetries<T>(
      url,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
      operation,
      scopeFor(method, path),
      this.retry,
      this.sleep,
    );
  }
}

export async function sendWithRetries<T>(
  url: URL,
  init: { method: string; headers: Record<string, string>; body: string | undefined },
  operation: string,
  scope: string,
  retry: RetryPolicy,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: init.method as 'GET',
        headers: init.headers,
        body: init.body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (error) {
      throw new Auth0Error(
        0,
        operation,
        `${operation}: cannot reach ${url.origin}: ${(error as Error).message}`,
      );
    }
    const text = await response.body.text();
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Auth0Error(
          status,
          operation,
          `${operation}: Auth0 answered ${status} with a body that is not JSON`,
        );
      }
    }
    if (status === 429 && attempt < retry.maxRetries) {
      const wait = retryDelaySeconds(response.headers);
      if (wait > retry.maxWaitSeconds) {
        throw new Auth0Error(
          429,
          operation,
          `${operation}: Auth0 rate limit exceeded and asks to wait ${wait} s (more than --max-retry-wait ${retry.maxWaitSeconds} s); run the command again later.`,
        );
      }
      await sleep(wait * 1000);
      continue;
    }
    let parsed: ErrorBody = {};
    try {
      parsed = JSON.parse(text) as ErrorBody;
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    throw new Auth0Error(status, operation, describeFailure(status, operation, parsed, scope));
  }
}
