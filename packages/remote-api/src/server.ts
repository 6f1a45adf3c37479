import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { findTool } from '@cnpg-mcp/catalog';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { type AuditLog, createAuditLog } from './audit.js';
import { bearerChallenge } from './auth/challenge.js';
import { Introspector } from './auth/introspect.js';
import { JwksSource } from './auth/jwks.js';
import {
  mcpResource,
  protectedResourceMetadata,
  RESOURCE_METADATA_PATHS,
  resourceMetadataUrl,
} from './auth/resource-metadata.js';
import { cachingVerifier, VerifiedTokenCache } from './auth/token-cache.js';
import { AuthError, bearerFromHeader, type VerifiedToken, verifyAccessToken } from './auth/verify.js';
import { startReadCache } from './cache/start.js';
import type { RemoteApiConfig } from './config.js';
import { Confirmations, isConfirmationId } from './elicitation/confirmations.js';
import { type ClientFacts, clientFacts, sessionIdFor } from './elicitation/session.js';
import { answerPreflight, guardBrowserRequest, refuseBrowserRequest } from './http/browser-guard.js';
import { PerCallerLimit } from './http/caller-limit.js';
import { plainJsonCall } from './http/json-call.js';
import { McpServerPool } from './http/mcp-servers.js';
import { listeningUrl, serveMetrics, startMetricsListener } from './http/metrics-endpoint.js';
import { type PublicAddress, publicAddress } from './http/public-address.js';
import { BodyTooLarge, readJsonBody, sendJson } from './http/respond.js';
import { isMcpPath, SelectionError, toolSelection } from './http/tool-selection.js';
import { identityFromClaims } from './identity.js';
import { Kube, loadKubeConfig } from './kube/client.js';
import { DEFAULT_RESILIENCE } from './kube/resilience.js';
import { createLogger, type LineSink, type Logger, openSink } from './log.js';
import { authInfoFor, type Caller, createMcpServer, InFlightCalls, type RequestContext } from './mcp.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOAuthProxy, OAUTH_PATHS, type OAuthProxy } from './oauth/proxy.js';
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
  /** The separate metrics listener (METRICS_PORT), e.g. http://127.0.0.1:PORT/metrics. */
  metricsUrl: string | undefined;
  metrics: Metrics;
  /** Graceful stop: refuse new connections, let in-flight calls finish (up to the shutdown timeout). */
  close(): Promise<void>;
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

/** Whether a message or batch calls a tool whose calls the person may be asked to confirm. */
function callsConfirmedTool(message: unknown): boolean {
  const messages = Array.isArray(message) ? message : [message];
  return messages.some((m) => {
    const call = m as { method?: unknown; params?: { name?: unknown } } | null;
    return call?.method === 'tools/call' && typeof call.params?.name === 'string'
      ? findTool(call.params.name)?.confirmation !== undefined
      : false;
  });
}

/** The JSON-RPC responses in a body made only of responses (a client answering the server's requests). */
function responsesOnly(message: unknown): { id: unknown; result?: unknown; error?: unknown }[] | undefined {
  const messages = Array.isArray(message) ? message : [message];
  const responses = messages.filter(
    (m): m is { id: unknown; result?: unknown; error?: unknown } =>
      m !== null && typeof m === 'object' && !('method' in m) && ('result' in m || 'error' in m),
  );
  return responses.length > 0 && responses.length === messages.length ? responses : undefined;
}

function asksForProgress(message: unknown): boolean {
  const messages = Array.isArray(message) ? message : [message];
  return messages.some(
    (m) =>
      (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta?.progressToken !==
      undefined,
  );
}

const KNOWN_ROUTES: readonly string[] = [
  '/mcp',
  '/healthz',
  '/readyz',
  '/metrics',
  ...RESOURCE_METADATA_PATHS,
  ...OAUTH_PATHS,
];

/** The route label for metrics: a known path, or "other" (so label cardinality stays bounded). */
function metricsRoute(url: string | undefined): string {
  const path = new URL(url ?? '/', 'http://x').pathname;
  if (isMcpPath(path)) return '/mcp';
  return KNOWN_ROUTES.includes(path) ? path : 'other';
}

/** Routes no browser needs (probes, metrics): exempt from the Host and Origin checks. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

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
  const watchCache = config.readCache.enabled ? startReadCache(kube, config, log, metrics) : undefined;
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
  const servers = new McpServerPool(() => createMcpServer(deps));
  const confirmations = new Confirmations(kube.serviceApis().core, config.quotaNamespace, log, {
    timeoutMs: config.confirmationTimeoutMs,
  });
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  // Known once listening (without PUBLIC_URL the listening address is the public one).
  let address: PublicAddress | undefined;
  let oauthProxy: OAuthProxy | undefined;
  const publicBase = (req: IncomingMessage) => (address as PublicAddress).baseFor(req);
  const callerLimit = new PerCallerLimit(config.limits.maxInFlightPerCaller);
  // The first challenge names every API scope, so a spec client's first login can already get write
  // access when the person may have it; a refused write names the same set (read is kept).
  const challengeScope = [config.scopes.read, config.scopes.write, ...config.scopes.required].join(' ');

  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    error: AuthError,
    corsHeaders: Record<string, string>,
  ) => {
    metrics.authFailures.inc({ reason: error.reason });
    log.info('request refused', { reason: error.reason, path: req.url, status: error.status });
    if (error.status === 503) {
      sendJson(
        res,
        503,
        { error: 'temporarily_unavailable', error_description: error.message },
        { 'retry-after': '5', ...corsHeaders },
      );
      return;
    }
    const challenge = bearerChallenge({
      resourceMetadataUrl: resourceMetadataUrl(publicBase(req)),
      ...(error.reason === 'missing_token'
        ? { scope: challengeScope }
        : error.status === 403
          ? {
              error: 'insufficient_scope' as const,
              description: error.message,
              scope: challengeScope,
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
      { 'www-authenticate': challenge, ...corsHeaders },
    );
  };

  // Tokens name this API by OIDC_AUDIENCE, or (RFC 8707 providers in pass-through mode) by its MCP URL.
  const verifierOptions = () => ({
    ...config.oidc,
    alsoAcceptedAudiences: address?.fixed ? [mcpResource(address.fixed)] : [],
    getKey: jwks.getKey,
    introspect: introspector ? (opaque: string) => introspector.check(opaque) : undefined,
  });

  const tokenCache = new VerifiedTokenCache({
    maxEntries: config.oidc.tokenCacheMaxEntries,
    clockToleranceSeconds: config.oidc.clockToleranceSeconds,
  });
  jwks.onRotation(() => tokenCache.clear());
  const verifyToken = cachingVerifier({
    cache: tokenCache,
    options: verifierOptions,
    keysFresh: () => jwks.fresh,
    onLookup: (result) => metrics.tokenCache.inc({ result }),
  });

  // Who a verified token names and what the policy gives them, worked out once per cached token.
  const callers = new WeakMap<VerifiedToken, Caller>();

  const authenticate = async (req: IncomingMessage): Promise<Caller> => {
    const token = bearerFromHeader(req.headers.authorization);
    const verified = await verifyToken(token);
    for (const scope of [config.scopes.read, ...config.scopes.required]) {
      if (!verified.scopes.includes(scope))
        throw new AuthError('insufficient_scope', `the token lacks the ${scope} scope`, 403, scope);
    }
    const known = callers.get(verified);
    if (known) return known;
    const identity = identityFromClaims(verified.claims, verified.scopes, config.oidc.groupsClaim);
    const access = accessFor(
      policy,
      identity,
      config.allowedNamespaces,
      verified.scopes.includes(config.scopes.write),
      config.scopes.write,
    );
    const caller = { identity, access };
    callers.set(verified, caller);
    return caller;
  };

  const handleMcp = async (
    req: IncomingMessage,
    res: ServerResponse,
    corsHeaders: Record<string, string>,
    path: string,
  ) => {
    let selection: ReturnType<typeof toolSelection>;
    try {
      selection = toolSelection(path, req.headers, config.toolsets);
    } catch (error) {
      if (!(error instanceof SelectionError)) throw error;
      sendJson(
        res,
        error.status,
        { jsonrpc: '2.0', error: { code: -32600, message: error.message }, id: null },
        corsHeaders,
      );
      return;
    }
    let caller: Caller;
    try {
      caller = await authenticate(req);
    } catch (error) {
      if (error instanceof AuthError) return refuse(req, res, error, corsHeaders);
      throw error;
    }
    const release = callerLimit.tryEnter(caller.identity.userId);
    if (!release) {
      metrics.authFailures.inc({ reason: 'too_many_in_flight' });
      log.info('request refused', { reason: 'too_many_in_flight', userId: caller.identity.userId });
      sendJson(
        res,
        429,
        {
          jsonrpc: '2.0',
          error: {
            code: -32000,
            message: `Too many requests in progress for this caller (at most ${config.limits.maxInFlightPerCaller} at once); retry when one has finished`,
          },
          id: null,
        },
        { 'retry-after': '1', ...corsHeaders },
      );
      return;
    }
    res.on('close', release);
    for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
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
    const answers = responsesOnly(body);
    if (answers?.some((answer) => isConfirmationId(answer.id))) {
      // The person's answers to questions this remote asked (on any replica).
      const results = await Promise.all(
        answers
          .filter((answer) => isConfirmationId(answer.id))
          .map((answer) => confirmations.answer(caller.identity, answer as { id: string })),
      );
      if (results.every((result) => result === 'delivered')) {
        res.writeHead(202).end();
        return;
      }
      sendJson(res, 404, {
        jsonrpc: '2.0',
        error: {
          code: -32600,
          message: 'No confirmation is waiting for this answer (it was answered, timed out, or is not yours)',
        },
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
          `${writeTools.join(', ')} needs the ${config.scopes.write} scope; authorize again asking for ${challengeScope}`,
          403,
          config.scopes.write,
        ),
        corsHeaders,
      );
    }
    // What the client declared at initialize, carried by the session id the remote gave it then.
    const facts: ClientFacts = clientFacts(req.headers['mcp-session-id']);
    const mayAsk = config.elicitation && facts.elicitation && callsConfirmedTool(body);
    // A call that asked for progress, or may ask the person, gets an event stream; any other answer
    // is one JSON body, cheaper to produce and to read (nothing else is sent during the call).
    const streams = asksForProgress(body) || mayAsk;
    const plain = streams ? undefined : plainJsonCall(req.headers, body);
    if (plain) {
      await servers.answer(plain, authInfoFor({ caller, context: { selection } }), req.headers, res);
      return;
    }
    // Anything else gets a server and an SDK transport of its own, for this request only.
    const server = createMcpServer(deps);
    const initialize = !Array.isArray(body) && isInitializeRequest(body) ? body : undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: initialize ? () => sessionIdFor(initialize.params.capabilities) : undefined,
      enableJsonResponse: !streams,
    });
    const context: RequestContext = {
      selection,
      ...(mayAsk
        ? {
            ask: (question, call) =>
              confirmations.ask(
                caller.identity,
                question,
                (request: JSONRPCRequest) => transport.send(request, { relatedRequestId: call.requestId }),
                call.signal,
              ),
          }
        : {}),
    };
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(Object.assign(req, { auth: authInfoFor({ caller, context }) }), res, body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!PROBE_ROUTES.has(path)) {
      const guard = guardBrowserRequest(req, address as PublicAddress);
      if (!guard.ok) {
        metrics.authFailures.inc({ reason: 'forbidden_origin_or_host' });
        log.info('request refused', { reason: guard.reason, path });
        refuseBrowserRequest(res, guard.reason);
        return;
      }
      if (req.method === 'OPTIONS' && req.headers.origin !== undefined) {
        answerPreflight(res, guard.corsHeaders, isMcpPath(path) ? 'POST, GET, DELETE' : 'GET, POST');
        return;
      }
      if (isMcpPath(path)) {
        await handleMcp(req, res, guard.corsHeaders, path);
        return;
      }
      if ((RESOURCE_METADATA_PATHS as readonly string[]).includes(path)) {
        sendJson(res, 200, protectedResourceMetadata(config, publicBase(req)), {
          'cache-control': 'public, max-age=300',
          ...guard.corsHeaders,
        });
        return;
      }
      if (oauthProxy && (await oauthProxy.handle(req, res, path, guard.corsHeaders))) return;
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
      const cache = watchCache?.ready() ?? { ok: true, detail: 'off (READ_CACHE=off)' };
      const ready = kubernetes.ok && keys.ok && cache.ok;
      sendJson(res, ready ? 200 : 503, { ready, kubernetes, jwks: keys, cache });
      return;
    }
    if (path === '/metrics' && config.metrics.token !== undefined) {
      serveMetrics(req, res, metrics, config.metrics.token);
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  };

  const httpServer: HttpServer = createServer(
    {
      headersTimeout: config.limits.headersTimeoutMs,
      requestTimeout: config.limits.requestTimeoutMs,
      // How often Node looks for connections past those limits (its default is 30 s).
      connectionsCheckingInterval: Math.min(1000, config.limits.headersTimeoutMs),
    },
    (req, res) => {
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
    },
  );
  httpServer.maxConnections = config.limits.maxConnections;

  // Readiness waits for the first lists anyway; reads before them go to the API server.
  await watchCache?.initialSync(10_000);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error) => {
      watchCache?.stop();
      kube.close();
      reject(error);
    });
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const url = listeningUrl(httpServer);
  address = publicAddress(config, url);
  if (config.authorization.mode === 'proxy') {
    oauthProxy = createOAuthProxy({
      config,
      base: address.fixed as string,
      log,
      checkAccessToken: async (token) => {
        await verifyAccessToken(token, verifierOptions());
      },
    });
  }
  const metricsListener =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsListener(config.host, config.metrics.port, metrics);
  log.info('remote API listening', {
    url,
    publicUrl: address.fixed ?? 'from the trusted proxy',
    authorization: config.authorization.mode,
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    ...(metricsListener ? { metrics: metricsListener.url } : {}),
  });

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
      watchCache?.stop();
      kube.close();
      await metricsListener?.close();
      await oauthProxy?.close();
      await auditSink.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { url, metricsUrl: metricsListener?.url, metrics, close };
}
