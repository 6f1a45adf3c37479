import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { connectionFailure, type Fetch } from './sidecar-fetch.js';

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
 * An event stream whose connection is cut off mid-way ends, for the SDK, with a JSON-RPC error for
 * call `id` (it otherwise drops the stream and waits for an answer that never comes, until the
 * timeout). A JSON answer needs nothing: a cut one fails the SDK's read of it, and so the call.
 */
function guardBody(response: Response, id: RequestId, signal: AbortSignal, ended: () => void): Response {
  const source = response.body;
  if (!source || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    ended();
    return response;
  }
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
        controller.enqueue(lostEvent(id, connectionFailure(error)));
        controller.close();
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
 * cancellation, or of the caller's timeout, only from its connection closing), and an event
 * stream cut off mid-way becomes that call's error ("may or may not have completed").
 */
export function trackCalls(fetch: Fetch): Fetch {
  const inFlight = new Map<RequestId, AbortController>();
  // The transport's own signal (it aborts when the transport closes) ends every call in flight;
  // one listener on it rather than a combined signal per call.
  let watched: AbortSignal | undefined;
  const abortAll = () => {
    for (const call of inFlight.values()) call.abort(watched?.reason);
  };
  return async (input, init) => {
    const cancelled = cancelledIdOf(init?.body);
    if (cancelled !== undefined) inFlight.get(cancelled)?.abort(new Error('cancelled'));
    const id = requestIdOf(init?.body);
    if (id === undefined) return fetch(input, init);
    if (init?.signal && init.signal !== watched) {
      watched?.removeEventListener('abort', abortAll);
      watched = init.signal;
      watched.addEventListener('abort', abortAll, { once: true });
    }
    const abort = new AbortController();
    if (init?.signal?.aborted) abort.abort(init.signal.reason);
    inFlight.set(id, abort);
    const signal = abort.signal;
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
