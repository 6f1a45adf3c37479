import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The callback port is taken: says which port and which setting changes it. */
export class CallbackPortBusyError extends Error {
  constructor(readonly port: number) {
    super(
      `Port ${port} on 127.0.0.1 is already in use, so the login callback cannot listen there. ` +
        'Another login may still be running (finish it or wait for its timeout), or another program uses ' +
        'the port. Choose another one with the setting callbackPort (flag --callback-port, env ' +
        `CNPG_MCP_CALLBACK_PORT); it must match a redirect URI registered at the provider ` +
        '(http://127.0.0.1:PORT/callback).',
    );
    this.name = 'CallbackPortBusyError';
  }
}

export interface CallbackPage {
  status: number;
  html: string;
}

export interface CallbackListener {
  port: number;
  /** http://127.0.0.1:PORT/callback — the same literal the listener is bound to. */
  redirectUri: string;
  close(): Promise<void>;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function page(status: number, title: string, text: string): CallbackPage {
  const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  return {
    status,
    html:
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escapeHtml(title)}</h1>` +
      `<p>${escapeHtml(text)}</p></body></html>`,
  };
}

/**
 * Listens on 127.0.0.1 only (never all interfaces, never ::1) for GET /callback and answers with
 * whatever page `handle` returns once it has finished (so success is shown only after the exchange).
 */
export async function listenForCallback(
  port: number,
  handle: (callbackUrl: URL) => Promise<CallbackPage>,
): Promise<CallbackListener> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    handle(url).then(
      ({ status, html }) => {
        res
          .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(html);
      },
      (error: unknown) => {
        const failure = page(500, 'Login failed', (error as Error).message);
        res.writeHead(failure.status, { 'content-type': 'text/html; charset=utf-8' }).end(failure.html);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new CallbackPortBusyError(port) : error,
      );
    });
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    redirectUri: `http://127.0.0.1:${actualPort}/callback`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Let the page that is being written finish, then drop idle keep-alive connections.
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}
