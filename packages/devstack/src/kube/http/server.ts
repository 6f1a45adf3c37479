/** The HTTP front: fault injection, authentication, impersonation, routing and error bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  forbidden,
  internalError,
  methodNotAllowed,
  pathNotFound,
  serviceUnavailable,
  timeoutError,
  tooManyRequests,
} from '../api/errors.js';
import type { Registry } from '../api/registry.js';
import { type Authenticator, impersonate } from '../auth/authenticate.js';
import type { Rbac } from '../auth/rbac.js';
import type { PodLogs } from '../controllers/pod-logs.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import type { FaultInjector } from './faults.js';
import { handleResource, isWatch } from './handlers.js';
import { sendError, sendJson } from './io.js';
import { OpenApiDocuments } from './openapi.js';
import { swaggerToProtobuf } from './openapi-protobuf.js';
import { parseRoute } from './routes.js';
import type { TrafficCounter } from './traffic.js';
import type { OpenWatches } from './watch.js';

export interface ServerDeps {
  registry: Registry;
  authenticator: Authenticator;
  rbac: Rbac;
  faults: FaultInjector;
  logs: PodLogs;
  traffic?: TrafficCounter;
  watches?: OpenWatches;
  onRequest?: (method: string, path: string, status: number) => void;
}

function faultError(status: number, retryAfterSeconds: number): ApiError {
  if (status === 429) return tooManyRequests(retryAfterSeconds);
  if (status === 503) {
    const err = serviceUnavailable();
    return new ApiError(err.body, { 'Retry-After': String(retryAfterSeconds) });
  }
  if (status === 504) return timeoutError();
  // Other statuses (500, 502, …) answer an InternalError body with the chosen code.
  const err = internalError('injected fault');
  return new ApiError({ ...err.body, code: status });
}

/** kube-openapi answers the `…spec.v2@v1.0+protobuf` request with this type ('@' is no MIME token). */
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** The protobuf encoding of each (cached) Swagger document, made once. */
const encoded = new WeakMap<object, Uint8Array>();

/** /openapi/v2 as protobuf when the client accepts it (kubectl before 1.24 asks only for that), else JSON. */
function sendSwagger(res: ServerResponse, accept: string | undefined, openapi: OpenApiDocuments): void {
  if (accept?.includes('application/com.github.proto-openapi.spec.v2')) {
    const doc = openapi.swagger();
    const body = encoded.get(doc) ?? swaggerToProtobuf(doc);
    encoded.set(doc, body);
    res.writeHead(200, { 'Content-Type': PROTOBUF_V2, 'Content-Length': body.length });
    res.end(body);
    return;
  }
  sendJson(res, 200, openapi.swagger());
}

async function handle(
  deps: ServerDeps,
  openapi: OpenApiDocuments,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  const fault = deps.faults.take(method, url.pathname);
  if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
  if (fault?.drop) {
    req.socket.destroy();
    return;
  }
  if (fault?.status) throw faultError(fault.status, fault.retryAfterSeconds ?? 1);

  const caller = deps.authenticator.authenticate(req);
  const user = impersonate(req, caller, deps.rbac);
  const route = parseRoute(url.pathname, deps.registry.catalog);
  if (route.type !== 'resource') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
    if (!deps.rbac.allowsNonResource(user, { verb: 'get', path: url.pathname })) {
      throw new ApiError({
        ...forbidden({ group: '', plural: '', kind: '' }, undefined, '').body,
        message: `forbidden: User "${user.username}" cannot get path "${url.pathname}"`,
        details: {},
      });
    }
  }
  switch (route.type) {
    case 'version':
      return sendJson(res, 200, versionInfo());
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    case 'api':
      return sendJson(res, 200, apiVersions());
    case 'apis':
      return sendJson(res, 200, apiGroupList(deps.registry.catalog));
    case 'group': {
      const doc = apiGroup(deps.registry.catalog, route.group);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    case 'groupVersion': {
      const doc = apiResourceList(deps.registry.catalog, route.groupVersion);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    case 'openapiV2':
      return sendSwagger(res, req.headers.accept, openapi);
    case 'openapiRoot':
      return sendJson(res, 200, openapi.root());
    case 'openapiGroupVersion': {
      const doc = openapi.groupVersion(route.path);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    case 'resource':
      return handleResource(
        { req, res, url, user, registry: deps.registry, rbac: deps.rbac, logs: deps.logs },
        route,
      );
    default:
      throw pathNotFound();
  }
}

/** The request listener shared by the HTTP and HTTPS servers. */
export function kubeRequestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const openapi = new OpenApiDocuments(deps.registry.catalog);
  return (req, res) => {
    const watch = isWatch(new URL(req.url ?? '/', 'http://127.0.0.1'));
    deps.traffic?.request(watch);
    if (watch) deps.watches?.track(res);
    handle(deps, openapi, req, res)
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (err instanceof ApiError) sendError(res, err);
        else sendError(res, internalError((err as Error).message ?? String(err)));
      })
      .finally(() => deps.onRequest?.(req.method ?? 'GET', req.url ?? '/', res.statusCode));
  };
}
