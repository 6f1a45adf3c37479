import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { findTool } from '@cnpg-mcp/catalog';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type AuditLog, createAuditLog } from './audit.js';
import { bearerChallenge } from './auth/challenge.js';
import { Introspector } from './auth/introspect.js';
import { JwksSource } from './auth/jwks.js';
import { AuthError, bearerFromHeader, verifyAccessToken } from './auth/verify.js';
import type { RemoteApiConfig } from './config.js';
import { identityFromClaims } from './identity.js';
import { Kube, loadKubeConfig } from './kube/client.js';
import { DEFAULT_RESILIENCE } from './kube/resilience.js';
import { createLogger, type LineSink, type Logger, openSink } from './log.js';
import { type Caller, createMcpServer, InFlightCalls } from './mcp.js';
import { createMetrics, type Metrics } from './metrics.js';
import { accessFor, loadPolicy, type Policy } from './policy.js';
import { QuotaLedger } from './quota/ledger.js';

export interface RemoteApiOptions {
  /** Where JSON logs go (default stderr). */
  logSink?: LineSink;
  /** Where audit lines go (default from config.auditLog). */
  auditSink?: LineSink;
}

export interface RunningRemoteApi {
  /** Base URL, e.g. http://127.0.0.1:PORT (MCP endpoint at `${url}/mcp`). */
  url: string;
  metrics: Metrics;
  /** Graceful stop: refuse new connections, let in-flight calls finish (up to the shutdown timeout). */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Write tools named in a JSON-RPC message or batch. */
function writeToolsCalled(message: unknown): string[] {
  const messages = Array.isArray(message) ? message : [message];
  const names: string[] = [];
  for (const m of messages) {
    if (m && typeof m === 'object' && (m as { method?: unknown }).method === 'tools/call') {
      const name = (m as { params?: { name?: unknown } }).params?.name;
      if (typeof name === 'string' && findTool(name)?.requiredScope === 'write') names.push(name);
    }
  }
  return names;
}

function asksForProgress(message: unknown): boolean {
  const messages = Array.isArray(message) ? message : [message];
  return messages.some(
    (m) =>
      (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta?.progressToken !==
      undefined,
  );
}

const KNOWN_ROUTES = ['/mcp', '/healthz', '/readyz', '/metrics', '/.well-known/oauth-protected-resource'];

/** The route label for metrics: a known path, or "other" (so label cardinality stays bounded). */
function metricsRoute(url: string | undefined): string {
  const path = new URL(url ?? '/', 'http://x').pathname.replace(/\/mcp$/, (m, offset: number) =>
    offset === 0 ? m : '',
  );
  return KNOWN_ROUTES.includes(path) ? path : 'other';
}

/** Request ids named by `notifications/cancelled` in a JSON-RPC message or batch. */
function cancelledRequestIds(message: unknown): (string | number)[] {
  const messages = Array.isArray(message) ? message : [message];
  const ids: (string | number)[] = [];
  for (const m of messages) {
    if (m && typeof m === 'object' && (m as { method?: unknown }).method === 'notifications/cancelled') {
      const id = (m as { params?: { requestId?: unknown } }).params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') ids.push(id);
    }
  }
  return ids;
}

export async function startRemoteApi(
  config: RemoteApiConfig,
  options: RemoteApiOptions = {},
): Promise<RunningRemoteApi> {
  const log: Logger = createLogger(config.logLevel, options.logSink);
  const auditSink = options.auditSink ?? openSink(config.auditLog);
  const audit: AuditLog = createAuditLog(auditSink);
  const metrics = createMetrics();
  const policy: Policy = loadPolicy(config.policyFile);
  const kube = new Kube(loadKubeConfig(config.kubeconfig, config.kubeContext), config.impersonation, {
    ...DEFAULT_RESILIENCE,
    timeoutMs: config.kubeRequestTimeoutMs,
    attempts: config.kubeRetryAttempts,
  });
  const jwks = new JwksSource({
    issuer: config.oidc.issuer,
    jwksUri: config.oidc.jwksUri,
    cooldownSeconds: config.oidc.jwksCooldownSeconds,
    cacheMaxAgeSeconds: config.oidc.jwksCacheMaxAgeSeconds,
  });
  const introspection = config.oidc.introspection;
  const introspector = introspection
    ? new Introspector({ issuer: config.oidc.issuer, audience: config.oidc.audience, ...introspection })
    : undefined;
  const quotaLedger = new QuotaLedger(kube.serviceApis().core, {
    namespace: config.quotaNamespace,
    reservationMs: config.quotaReservationMs,
    log,
  });
  const deps = { config, policy, kube, quotaLedger, log, audit, metrics, inFlight: new InFlightCalls() };
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const baseUrl = (req: IncomingMessage) => {
    if (config.publicUrl) return config.publicUrl;
    const forwardedProto = config.trustProxy
      ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]
      : '';
    const forwardedHost = config.trustProxy
      ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0]
      : '';
    return `${forwardedProto || 'http'}://${forwardedHost || req.headers.host || `${config.host}:${config.port}`}`;
  };
  const metadataUrl = (req: IncomingMessage) => `${baseUrl(req)}/.well-known/oauth-protected-resource`;

  const refuse = (req: IncomingMessage, res: ServerResponse, error: AuthError) => {
    metrics.authFailures.inc({ reason: error.reason });
    log.info('request refused', { reason: error.reason, path: req.url, status: error.status });
    if (error.status === 503) {
      sendJson(
        res,
        503,
        { error: 'temporarily_unavailable', error_description: error.message },
        { 'retry-after': '5' },
      );
      return;
    }
    const challenge = bearerChallenge({
      resourceMetadataUrl: metadataUrl(req),
      ...(error.reason === 'missing_token'
        ? { scope: config.scopes.read }
        : error.status === 403
          ? {
              error: 'insufficient_scope' as const,
              description: error.message,
              scope: error.scope ?? config.scopes.read,
            }
          : {
              error:
                error.reason === 'malformed_header'
                  ? ('invalid_request' as const)
                  : ('invalid_token' as const),
              description: error.message,
            }),
    });
    sendJson(
      res,
      error.status,
      {
        error:
          error.status === 403
            ? 'insufficient_scope'
            : error.reason === 'missing_token'
              ? 'unauthorized'
              : 'invalid_token',
        error_description: error.message,
      },
      { 'www-authenticate': challenge },
    );
  };

  const authenticate = async (req: IncomingMessage): Promise<Caller> => {
    const token = bearerFromHeader(req.headers.authorization);
    const verified = await verifyAccessToken(token, {
      ...config.oidc,
      getKey: jwks.getKey,
      introspect: introspector ? (opaque) => introspector.check(opaque) : undefined,
    });
    for (const scope of [config.scopes.read, ...config.scopes.required]) {
      if (!verified.scopes.includes(scope))
        throw new AuthError('insufficient_scope', `the token lacks the ${scope} scope`, 403, scope);
    }
    const identity = identityFromClaims(verified.claims, verified.scopes, config.oidc.groupsClaim);
    const access = accessFor(
      policy,
      identity,
      config.allowedNamespaces,
      verified.scopes.includes(config.scopes.write),
      config.scopes.write,
    );
    return { identity, access };
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse) => {
    let caller: Caller;
    try {
      caller = await authenticate(req);
    } catch (error) {
      if (error instanceof AuthError) return refuse(req, res, error);
      throw error;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this server is stateless; use POST' },
          id: null,
        }),
      );
      return;
    }
    let body: unknown;
    try {
      body = await readJsonBody(req, config.maxBodyBytes);
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge;
      sendJson(res, tooLarge ? 413 : 400, {
        jsonrpc: '2.0',
        error: { code: -32700, message: tooLarge ? error.message : 'Parse error: the body is not JSON' },
        id: null,
      });
      return;
    }
    for (const requestId of cancelledRequestIds(body)) {
      if (deps.inFlight.cancel(caller.identity, requestId))
        log.debug('tool call cancelled by the client', { requestId });
    }
    const writeTools = writeToolsCalled(body);
    if (writeTools.length > 0 && !caller.identity.scopes.includes(config.scopes.write)) {
      return refuse(
        req,
        res,
        new AuthError(
          'insufficient_scope',
          `${writeTools.join(', ')} needs the ${config.scopes.write} scope`,
          403,
          config.scopes.write,
        ),
      );
    }
    const server = createMcpServer(deps, caller);
    // A call that asked for progress gets an event stream; any other answer is one JSON body,
    // which is cheaper to produce and to read (the server sends nothing else during the call).
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !asksForProgress(body),
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/mcp') {
      await handleMcp(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      if (draining) {
        sendJson(res, 503, { ready: false, reason: 'shutting down' });
        return;
      }
      const [kubernetes, keys] = await Promise.all([kube.ready(), jwks.ready()]);
      const ready = kubernetes.ok && keys.ok;
      sendJson(res, ready ? 200 : 503, { ready, kubernetes, jwks: keys });
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
      return;
    }
    if (
      path === '/.well-known/oauth-protected-resource' ||
      path === '/.well-known/oauth-protected-resource/mcp'
    ) {
      sendJson(
        res,
        200,
        {
          resource: config.resource,
          authorization_servers: [config.oidc.issuer],
          scopes_supported: [config.scopes.read, config.scopes.write],
          bearer_methods_supported: ['header'],
          resource_name: 'cnpg-mcp remote API',
          resource_signing_alg_values_supported: config.oidc.algorithms,
        },
        { 'cache-control': 'public, max-age=300' },
      );
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  };

  const httpServer: HttpServer = createServer((req, res) => {
    const started = performance.now();
    const routeName = metricsRoute(req.url);
    inFlight++;
    res.on('close', () => {
      inFlight--;
      metrics.httpRequests.inc({
        route: routeName,
        method: req.method ?? '',
        status: String(res.statusCode),
      });
      metrics.httpDuration.observe({ route: routeName }, (performance.now() - started) / 1000);
      if (inFlight === 0) idle?.();
    });
    route(req, res).catch((error: unknown) => {
      log.error('request failed', { path: req.url, error });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  log.info('remote API listening', { url, issuer: config.oidc.issuer, audience: config.oidc.audience });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      log.info('shutting down', { inFlight });
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutSeconds * 1000).unref()),
        ]);
      }
      httpServer.closeAllConnections();
      await stopped;
      await auditSink.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { url, metrics, close };
}
