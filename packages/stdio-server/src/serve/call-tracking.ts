import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { connectionFailure, type Fetch, SidecarConnectionLostError } from './sidecar-fetch.js';

/** `data` of the JSON-RPC error that stands for a call whose answer was cut off mid-way. */
export const CONNECTION_LOST = 'cnpg-mcp/connection-lost';

type RequestId = string | number;

/** The id of the one JSON-RPC request a POST carries, or undefined (notifications, replies, batches). */
function requestIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string' || !body.includes('"method"')) return undefined;
  const message = JSON.parse(body) as { id?: unknown; method?: unknown };
  return typeof message.method === 'string' &&
    (typeof message.id === 'string' || typeof message.id === 'number')
    ? message.id
    : undefined;
}

/** The request a `notifications/cancelled` POST names, if the body is one. */
function cancelledIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string' || !body.includes('notifications/cancelled')) return undefined;
  const message = JSON.parse(body) as { method?: unknown; params?: { requestId?: unknown } };
  const id = message.params?.requestId;
  return message.method === 'notifications/cancelled' && (typeof id === 'string' || typeof id === 'number')
    ? id
    : undefined;
}

/** An SSE event with the JSON-RPC error that ends call `id`; the blank lines end any event cut in half. */
function lostEvent(id: RequestId, error: Error): Uint8Array {
  const reply = {
    jsonrpc: '2.0',
    id,
    error: { code: ErrorCode.InternalError, message: error.message, data: CONNECTION_LOST },
  };
  return new TextEncoder().encode(`\n\nevent: message\ndata: ${JSON.stringify(reply)}\n\n`);
}

/**
 * The answer's body, with a cut-off connection turned into something the SDK can tie to the call:
 * an event stream gets a JSON-RPC error for `id` (the SDK otherwise drops the call's stream and
 * waits for an answer that never comes); a JSON body fails with SidecarConnectionLostError.
 */
function guardBody(response: Response, id: RequestId, signal: AbortSignal, ended: () => void): Response {
  const source = response.body;
  if (!source) {
    ended();
    return response;
  }
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (!done) return controller.enqueue(value);
        ended();
        controller.close();
      } catch (error) {
        ended();
        if (signal.aborted) return controller.error(error);
        const lost = error instanceof SidecarConnectionLostError ? error : connectionFailure(error);
        if (isStream) {
          controller.enqueue(lostEvent(id, lost));
          controller.close();
        } else {
          controller.error(lost);
        }
      }
    },
    cancel(reason) {
      ended();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Wraps the transport's fetch with what a proxy needs per call (one tracker per remote client, whose
 * request ids are unique). The POST that carries a request
 * is aborted when a `notifications/cancelled` for it is sent (a stateless remote learns of a
 * cancellation, or of the caller's timeout, only from its connection closing), and an answer cut
 * off mid-way becomes that call's error ("may or may not have completed").
 */
export function trackCalls(fetch: Fetch): Fetch {
  const inFlight = new Map<RequestId, AbortController>();
  return async (input, init) => {
    const cancelled = cancelledIdOf(init?.body);
    if (cancelled !== undefined) inFlight.get(cancelled)?.abort(new Error('cancelled'));
    const id = requestIdOf(init?.body);
    if (id === undefined) return fetch(input, init);
    const abort = new AbortController();
    inFlight.set(id, abort);
    const signal = init?.signal ? AbortSignal.any([init.signal, abort.signal]) : abort.signal;
    const ended = () => {
      if (inFlight.get(id) === abort) inFlight.delete(id);
    };
    try {
      return guardBody(await fetch(input, { ...init, signal }), id, signal, ended);
    } catch (error) {
      ended();
      throw error;
    }
  };
}
