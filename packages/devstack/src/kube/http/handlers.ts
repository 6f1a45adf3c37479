/** Resource endpoints: verbs, status and scale subresources, pod logs and access reviews. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldValidation } from '../admission/index.js';
import {
  badRequest,
  fieldErrors,
  forbidden,
  invalidOptions,
  methodNotAllowed,
  pathNotFound,
  unsupportedMediaType,
} from '../api/errors.js';
import { jsonPatch, mergePatch, strategicMerge } from '../api/patch.js';
import { type DeleteOptions, PATCH_CONTENT_TYPES, type PatchType, type Registry } from '../api/registry.js';
import { apiVersionOf, type ResourceType } from '../api/resources.js';
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import { forbiddenDetail, type Rbac, type ResourceAttributes, type UserInfo } from '../auth/rbac.js';
import type { PodLogs } from '../controllers/pod-logs.js';
import { asRecord, deepClone, getPath, isPlainObject, type KubeObject } from '../types.js';
import { accessReview } from './access-review.js';
import { parseBody, readBody, sendJson, warningHeaders } from './io.js';
import { serveLogs } from './logs.js';
import { servePodProxy } from './pod-proxy.js';
import { toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: UserInfo;
  registry: Registry;
  rbac: Rbac;
  logs: PodLogs;
}

export interface ResourceRequest {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  proxyPath?: string;
}

const VERB_BY_METHOD: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function requestVerb(method: string, r: ResourceRequest, url: URL): string {
  if (method === 'GET' || method === 'HEAD') {
    if (r.name) return 'get';
    return isWatch(url) ? 'watch' : 'list';
  }
  if (method === 'DELETE' && !r.name) return 'deletecollection';
  const verb = VERB_BY_METHOD[method];
  if (!verb) throw methodNotAllowed();
  return verb;
}

export function isWatch(url: URL): boolean {
  const w = url.searchParams.get('watch');
  return w === 'true' || w === '1';
}

function dryRunOption(url: URL, optionsKind: string): boolean {
  const values = url.searchParams.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw invalidOptions(optionsKind, [fieldErrors.notSupported('dryRun', v, ['All'])]);
  }
  return values.length > 0;
}

function fieldValidationOption(url: URL): FieldValidation {
  const v = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (v !== 'Ignore' && v !== 'Warn' && v !== 'Strict') {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got: ${v}`);
  }
  return v;
}

function fieldManagerOption(url: URL, req: IncomingMessage): string | undefined {
  const fm = url.searchParams.get('fieldManager');
  if (fm !== null) {
    if (fm.length > 128) {
      throw invalidOptions('PatchOptions', [fieldErrors.tooLong('fieldManager', 128)]);
    }
    return fm;
  }
  const agent = req.headers['user-agent'];
  return agent ? agent.split('/')[0] : undefined;
}

function authorize(ctx: HandlerContext, attrs: ResourceAttributes, rt: ResourceType): void {
  if (!ctx.rbac.allows(ctx.user, attrs)) {
    throw forbidden(rt, attrs.name, forbiddenDetail(ctx.user, attrs));
  }
}

/** Core lists carry items without apiVersion/kind; custom resource lists include them. */
function listItem(rt: ResourceType, obj: KubeObject): KubeObject | Omit<KubeObject, 'apiVersion' | 'kind'> {
  if (rt.custom) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export async function handleResource(ctx: HandlerContext, r: ResourceRequest): Promise<void> {
  const { req, res, url, registry } = ctx;
  const method = req.method ?? 'GET';
  const { rt } = r;
  if (r.subresource && !rt.subresources.includes(r.subresource as 'status')) throw pathNotFound();
  const verb = requestVerb(method, r, url);
  if (!rt.verbs.includes(verb)) throw methodNotAllowed();
  if (rt.namespaced && r.namespace === undefined && verb !== 'list' && verb !== 'watch') throw pathNotFound();
  authorize(
    ctx,
    {
      verb,
      group: rt.group,
      resource: rt.plural,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
    },
    rt,
  );

  if (rt.createOnly) {
    const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
    sendJson(res, 201, accessReview(ctx, rt, r.namespace, body));
    return;
  }
  if (r.subresource === 'proxy') {
    if (verb !== 'get') throw methodNotAllowed();
    servePodProxy(ctx, r.namespace!, r.name!, r.proxyPath ?? '');
    return;
  }
  if (r.subresource === 'log') {
    await serveLogs(ctx, r.namespace!, r.name!, url);
    return;
  }
  if (r.subresource === 'scale') {
    await handleScale(ctx, r, verb);
    return;
  }

  const dryRun = () =>
    dryRunOption(
      url,
      method === 'POST'
        ? 'CreateOptions'
        : method === 'PUT'
          ? 'UpdateOptions'
          : method === 'PATCH'
            ? 'PatchOptions'
            : 'DeleteOptions',
    );
  const subresource = r.subresource === 'status' ? ('status' as const) : undefined;

  switch (verb) {
    case 'get': {
      const obj = registry.get(rt, r.namespace, r.name!);
      if (wantsTable(req.headers.accept) && !subresource) {
        sendJson(
          res,
          200,
          toTable(rt, [obj], obj.metadata.resourceVersion ?? '', registry.clock.now().getTime()),
        );
        return;
      }
      sendJson(res, 200, obj);
      return;
    }
    case 'list': {
      const labelSelector = parseLabelSelector(url.searchParams.get('labelSelector'));
      const fieldSelector = parseFieldSelector(url.searchParams.get('fieldSelector'), rt.kind, rt.custom);
      const limit = Number(url.searchParams.get('limit') ?? 0);
      const result = registry.list(rt, r.namespace, {
        labelSelector,
        fieldSelector,
        ...(limit > 0 ? { limit } : {}),
        ...(url.searchParams.get('continue') ? { continueToken: url.searchParams.get('continue')! } : {}),
      });
      const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
      if (result.continueToken) metadata.continue = result.continueToken;
      if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
      if (wantsTable(req.headers.accept)) {
        const table = toTable(rt, result.items, result.resourceVersion, registry.clock.now().getTime());
        sendJson(res, 200, { ...table, metadata });
        return;
      }
      sendJson(res, 200, {
        kind: `${rt.kind}List`,
        apiVersion: apiVersionOf(rt),
        metadata,
        items: result.items.map((o) => listItem(rt, o)),
      });
      return;
    }
    case 'watch': {
      const timeout = url.searchParams.get('timeoutSeconds');
      serveWatch(req, res, registry.store, rt, {
        ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
        labelSelector: parseLabelSelector(url.searchParams.get('labelSelector')),
        fieldSelector: parseFieldSelector(url.searchParams.get('fieldSelector'), rt.kind, rt.custom),
        ...(url.searchParams.get('resourceVersion')
          ? { resourceVersion: url.searchParams.get('resourceVersion')! }
          : {}),
        ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
        allowWatchBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
        ...(wantsTable(req.headers.accept)
          ? {
              render: (obj: KubeObject) =>
                toTable(rt, [obj], obj.metadata.resourceVersion ?? '', registry.clock.now().getTime()),
            }
          : {}),
      });
      return;
    }
    case 'create': {
      if (r.name) throw methodNotAllowed();
      const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
      const fm = fieldManagerOption(url, req);
      const result = registry.create(rt, r.namespace, body, {
        dryRun: dryRun(),
        fieldValidation: fieldValidationOption(url),
        ...(fm ? { fieldManager: fm } : {}),
      });
      sendJson(res, 201, result.object, warningHeaders(result.warnings));
      return;
    }
    case 'update': {
      const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
      const fm = fieldManagerOption(url, req);
      const result = registry.update(rt, r.namespace, r.name!, body, {
        dryRun: dryRun(),
        fieldValidation: fieldValidationOption(url),
        ...(fm ? { fieldManager: fm } : {}),
        ...(subresource ? { subresource } : {}),
      });
      sendJson(res, 200, result.object, warningHeaders(result.warnings));
      return;
    }
    case 'patch': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const patchType: PatchType | undefined = PATCH_CONTENT_TYPES[contentType];
      if (!patchType) {
        throw unsupportedMediaType(
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${rt.custom ? '' : ', application/strategic-merge-patch+json'}`,
        );
      }
      const body = parseBody(await readBody(req), contentType);
      const fm = fieldManagerOption(url, req);
      const forceParam = url.searchParams.get('force');
      const result = registry.patch(rt, r.namespace, r.name!, patchType, body, {
        dryRun: dryRun(),
        fieldValidation: fieldValidationOption(url),
        ...(patchType === 'apply'
          ? url.searchParams.get('fieldManager')
            ? { fieldManager: url.searchParams.get('fieldManager')! }
            : {}
          : fm
            ? { fieldManager: fm }
            : {}),
        ...(forceParam !== null ? { force: forceParam === 'true' } : {}),
        ...(subresource ? { subresource } : {}),
      });
      sendJson(res, result.created ? 201 : 200, result.object, warningHeaders(result.warnings));
      return;
    }
    case 'delete': {
      if (subresource) throw methodNotAllowed();
      const options = await deleteOptions(req, url);
      const result = registry.delete(rt, r.namespace, r.name!, {
        ...options,
        dryRun: dryRun() || options.dryRun === true,
      });
      sendJson(res, 200, result.object);
      return;
    }
    case 'deletecollection': {
      const options = await deleteOptions(req, url);
      const dry = dryRun() || options.dryRun === true;
      const labelSelector = parseLabelSelector(url.searchParams.get('labelSelector'));
      const fieldSelector = parseFieldSelector(url.searchParams.get('fieldSelector'), rt.kind, rt.custom);
      const items = registry.list(rt, r.namespace, { labelSelector, fieldSelector }).items;
      const deleted: KubeObject[] = [];
      for (const item of items) {
        registry.delete(rt, item.metadata.namespace, item.metadata.name!, { ...options, dryRun: dry });
        deleted.push(item);
      }
      sendJson(res, 200, {
        kind: `${rt.kind}List`,
        apiVersion: apiVersionOf(rt),
        metadata: { resourceVersion: String(registry.store.currentRevision) },
        items: deleted.map((o) => listItem(rt, o)),
      });
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function deleteOptions(req: IncomingMessage, url: URL): Promise<DeleteOptions> {
  const body = asRecord(parseBody(await readBody(req), req.headers['content-type'] ?? ''));
  const policy = url.searchParams.get('propagationPolicy') ?? body.propagationPolicy;
  const orphan = url.searchParams.get('orphanDependents') ?? body.orphanDependents;
  const options: DeleteOptions = {};
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw invalidOptions('DeleteOptions', [
        fieldErrors.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']),
      ]);
    }
    options.propagationPolicy = policy;
  } else if (orphan === true || orphan === 'true') {
    options.propagationPolicy = 'Orphan';
  }
  const pre = asRecord(body.preconditions);
  if (pre.uid !== undefined || pre.resourceVersion !== undefined) {
    options.preconditions = {
      ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    };
  }
  if (Array.isArray(body.dryRun)) {
    for (const v of body.dryRun) {
      if (v !== 'All')
        throw invalidOptions('DeleteOptions', [fieldErrors.notSupported('dryRun', v, ['All'])]);
    }
    options.dryRun = body.dryRun.length > 0;
  }
  return options;
}

function scaleOf(rt: ResourceType, obj: KubeObject): Record<string, unknown> {
  const scale = rt.scale!;
  const status: Record<string, unknown> = { replicas: getPath(obj, scale.statusReplicas) ?? 0 };
  const selector = scale.statusSelector ? getPath(obj, scale.statusSelector) : undefined;
  if (typeof selector === 'string') status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: getPath(obj, scale.specReplicas) ?? 0 },
    status,
  };
}

async function handleScale(ctx: HandlerContext, r: ResourceRequest, verb: string): Promise<void> {
  const { req, res, url, registry } = ctx;
  const rt = r.rt;
  const current = registry.get(rt, r.namespace, r.name!);
  if (verb === 'get') {
    sendJson(res, 200, scaleOf(rt, current));
    return;
  }
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  const body = parseBody(await readBody(req), contentType);
  let scale: Record<string, unknown>;
  if (verb === 'update') {
    scale = asRecord(body);
  } else if (verb === 'patch') {
    const patchType = PATCH_CONTENT_TYPES[contentType];
    if (!patchType || patchType === 'apply')
      throw unsupportedMediaType(`unsupported patch type ${contentType}`);
    const base = scaleOf(rt, current);
    const patched =
      patchType === 'json'
        ? jsonPatch(base, body)
        : patchType === 'merge'
          ? mergePatch(base, body)
          : strategicMerge(base, body);
    scale = asRecord(patched);
  } else {
    throw methodNotAllowed();
  }
  const replicas = asRecord(scale.spec).replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(
      'Scale.autoscaling "" is invalid: spec.replicas: Invalid value: must be a non-negative integer',
    );
  }
  const next = deepClone(current);
  const path = rt.scale!.specReplicas;
  let node = next as Record<string, unknown>;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(node[seg])) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = replicas;
  const rv = asRecord(scale.metadata).resourceVersion;
  next.metadata.resourceVersion = typeof rv === 'string' && rv !== '' ? rv : current.metadata.resourceVersion;
  const fm = fieldManagerOption(url, req);
  const dry = dryRunOption(url, verb === 'update' ? 'UpdateOptions' : 'PatchOptions');
  const result = registry.update(rt, r.namespace, r.name!, next, {
    dryRun: dry,
    ...(fm ? { fieldManager: fm } : {}),
  });
  sendJson(res, 200, scaleOf(rt, result.object), warningHeaders(result.warnings));
}
