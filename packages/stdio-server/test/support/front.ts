import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Cleanup = { after: (fn: () => void | Promise<void>) => void };

/** What the remote API publishes for desktop clients (CONTRACT-metadata.md, `cnpg_mcp_desktop`). */
export interface DesktopMetadata {
  issuer?: string;
  client_id?: string;
  audience?: string;
  scopes?: string[];
}

/**
 * A small HTTP server in front of the real remote API: it serves RFC 9728 metadata for its own
 * /mcp URL (with the desktop extension the remote API is getting), forwards everything else to
 * the remote, and lets a test answer a tool call itself (a redirect, silence) instead.
 */
export interface Front {
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  /** How many times the metadata was asked for. */
  metadataRequests: number;
  /** false: the metadata answers 404 (a remote that cannot be asked any more). */
  publish: boolean;
  /** The `resource` the metadata names; default the front's own /mcp URL. */
  resource?: string;
  desktop: DesktopMetadata;
  /** Answers a tools/call itself when it returns true (the call is then not forwarded). */
  onToolCall?: (name: string, res: ServerResponse) => boolean;
  /** Paths of the requests that reached the front. */
  paths: string[];
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toolCalled(raw: Buffer): string | undefined {
  try {
    const message = JSON.parse(raw.toString('utf8')) as { method?: string; params?: { name?: unknown } };
    return message.method === 'tools/call' && typeof message.params?.name === 'string'
      ? message.params.name
      : undefined;
  } catch {
    return undefined;
  }
}

export async function startFront(t: Cleanup, remoteApiUrl: string, desktop: DesktopMetadata): Promise<Front> {
  const target = new URL(remoteApiUrl);
  const front: Front = { url: '', metadataRequests: 0, publish: true, desktop, paths: [] };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    front.paths.push(`${req.method} ${path}`);
    if (path.startsWith('/.well-known/oauth-protected-resource')) {
      front.metadataRequests++;
      if (!front.publish) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          resource: front.resource ?? front.url,
          authorization_servers: [front.desktop.issuer ?? 'http://127.0.0.1:1'],
          scopes_supported: ['mcp:read', 'mcp:write'],
          bearer_methods_supported: ['header'],
          resource_name: 'cnpg-mcp (test front)',
          cnpg_mcp_desktop: front.desktop,
        }),
      );
      return;
    }
    const raw = await body(req);
    const tool = req.method === 'POST' ? toolCalled(raw) : undefined;
    if (tool && front.onToolCall?.(tool, res)) return;
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(raw);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return front;
}
