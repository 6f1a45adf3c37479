import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics.js';
import { sendJson } from './respond.js';

/**
 * /metrics is never open on the API port: it is served on its own port (METRICS_PORT, for a
 * scraper inside the cluster) and/or on the API port to a bearer of METRICS_TOKEN.
 */
export function listeningUrl(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
}

function render(res: ServerResponse, metrics: Metrics): void {
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(metrics.render());
}

/** /metrics on the API port: only with `Authorization: Bearer <METRICS_TOKEN>`. */
export function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  token: string,
): void {
  const presented = Buffer.from(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    sendJson(
      res,
      401,
      { error: 'unauthorized', error_description: '/metrics needs Authorization: Bearer <METRICS_TOKEN>' },
      { 'www-authenticate': 'Bearer realm="cnpg-mcp-metrics"' },
    );
    return;
  }
  render(res, metrics);
}

export async function startMetricsListener(
  host: string,
  port: number,
  metrics: Metrics,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer({ headersTimeout: 5000, requestTimeout: 10000 }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/metrics') return sendJson(res, 404, { error: 'not_found' });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
    render(res, metrics);
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `${listeningUrl(server)}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
