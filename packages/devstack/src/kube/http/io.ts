/** Request body reading and JSON responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import { type ApiError, badRequest, unsupportedMediaType } from '../api/errors.js';
import { decodeProtobufObject } from './protobuf.js';

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badRequest('request entity too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses JSON, YAML (apply patches, YAML bodies) or kubectl's protobuf for a few core kinds. */
export function parseBody(body: Buffer, contentType: string): unknown {
  const mediaType = contentType.split(';')[0]!.trim();
  if (mediaType === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(body);
  const text = body.toString('utf8');
  if (mediaType !== '' && !mediaType.includes('json') && !mediaType.includes('yaml')) {
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (contentType.includes('yaml')) {
      try {
        return yaml.load(text);
      } catch (yamlErr) {
        throw badRequest(`error converting YAML to JSON: ${(yamlErr as Error).message}`);
      }
    }
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.code, err.body, err.headers);
}

/**
 * `Warning: 299 - "text"` headers, as admission warnings come back. The API server writes the
 * quoted text's UTF-8 bytes as they are (apimachinery's NewWarningHeader; CNPG's own warnings
 * hold an em dash), and Node only sends header bytes given as latin1 characters.
 */
export function warningHeaders(warnings: readonly string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return {
    Warning: warnings.map((w) => Buffer.from(`299 - ${JSON.stringify(w)}`, 'utf8').toString('latin1')),
  };
}
