import { SidecarError } from '@cnpg-mcp/auth-sidecar/client';

/** fetch as the SDK's StreamableHTTPClientTransport calls it. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The sidecar's socket could not be opened: nothing was sent, so the request may be sent again. */
export class SidecarUnreachableError extends Error {
  constructor(cause: unknown) {
    super(`the auth sidecar does not answer: ${describeCause(cause)}`, { cause });
    this.name = 'SidecarUnreachableError';
  }
}

/**
 * The connection to the sidecar broke after the request went out (the sidecar died mid-call): the
 * call may or may not have completed, so it is reported, never sent again.
 */
export class SidecarConnectionLostError extends Error {
  constructor(cause: unknown) {
    super(`the connection to the auth sidecar was cut: ${describeCause(cause)}`, { cause });
    this.name = 'SidecarConnectionLostError';
  }
}

/** The remote answered a POST with an HTTP error instead of a JSON-RPC answer. */
export class RemoteHttpError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`the remote API answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'RemoteHttpError';
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: unknown })?.cause;
  const message = (cause as Error)?.message ?? String(cause);
  return inner instanceof Error && inner.message !== message ? `${message} (${inner.message})` : message;
}

/** The socket could not be opened: nothing was sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** A failed request to the sidecar: unreachable (nothing sent) or cut off (the call may have run). */
export function connectionFailure(error: unknown): Error {
  if (error instanceof SidecarUnreachableError || error instanceof SidecarConnectionLostError) return error;
  return errorCodes(error).some((code) => NOT_CONNECTED.has(code))
    ? new SidecarUnreachableError(error)
    : new SidecarConnectionLostError(error);
}

/** What a remote's HTTP error says: its OAuth error description, a JSON message, or the text. */
async function describeHttpError(response: Response): Promise<string> {
  const challenge = response.headers.get('www-authenticate') ?? '';
  const described = /error_description="([^"]*)"/.exec(challenge)?.[1];
  const text = (await response.text().catch(() => '')).trim();
  if (described) return described;
  try {
    const body = JSON.parse(text) as { error_description?: unknown; message?: unknown; error?: unknown };
    const message = body.error_description ?? body.message ?? body.error;
    if (typeof message === 'string') return message;
    const nested = (body.error as { message?: unknown } | undefined)?.message;
    if (typeof nested === 'string') return nested;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 300);
}

/**
 * The fetch of the forwarding path, over the sidecar's socket. `base` is the sidecar client's
 * fetch, which never follows a redirect and throws the sidecar's own errors (login required,
 * redirect refused, remote unreachable…) as SidecarError. This adds what the bridge decides on: a
 * failed connection is either "unreachable" (nothing sent, may be sent again) or "cut off" (the
 * call may have run), and a remote's HTTP error for a POST becomes a RemoteHttpError that says
 * why. Other answers (a GET's 405 from a remote without a standalone stream) go to the SDK as they are.
 */
export function sidecarFetch(base: Fetch): Fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      if (error instanceof SidecarError || init?.signal?.aborted) throw error;
      throw connectionFailure(error);
    }
    if (!response.ok && (init?.method ?? 'GET').toUpperCase() === 'POST') {
      throw new RemoteHttpError(response.status, await describeHttpError(response));
    }
    return response;
  };
}
