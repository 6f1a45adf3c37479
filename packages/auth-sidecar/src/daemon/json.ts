import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { ERROR_HEADER, ERROR_STATUS, type ErrorBody, SidecarError } from '../api.js';

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** An error answer of the sidecar itself: the code's status, the body, and the marker header. */
export function sendError(res: ServerResponse, body: ErrorBody): void {
  res.setHeader(ERROR_HEADER, body.code);
  sendJson(res, ERROR_STATUS[body.code], body);
}

export function invalidRequest(message: string): SidecarError {
  return new SidecarError({ code: 'ERR_INVALID_REQUEST', message });
}

/** `value` checked against `schema`; a mismatch names each field and what was expected. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : what;
    return `${field}: ${issue.message}`;
  });
  throw invalidRequest(`${what}: ${problems.join('; ')}`);
}

export async function readBody(req: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new SidecarError({
        code: 'ERR_BODY_TOO_LARGE',
        message: `request body larger than ${limit} bytes`,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON body of a control request (an empty body is `{}`). */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8').trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`request body: expected JSON (${(error as Error).message})`);
  }
}
