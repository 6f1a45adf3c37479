/** Maps request paths to discovery documents or resource routes. */
import type { ResourceCatalog, ResourceType } from '../api/resources.js';

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'groupVersion'; groupVersion: string }
  | { type: 'openapiV2' }
  | { type: 'openapiRoot' }
  | { type: 'openapiGroupVersion'; path: string }
  | {
      type: 'resource';
      rt: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** The rest of the path after `pods/{name}/proxy/`. */
      proxyPath?: string;
    }
  | { type: 'notFound' };

export function parseRoute(pathname: string, catalog: ResourceCatalog): Route {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (segs.length === 0) return { type: 'notFound' };
  if (segs[0] === 'version' && segs.length === 1) return { type: 'version' };
  if (['healthz', 'livez', 'readyz'].includes(segs[0]!) && segs.length === 1) return { type: 'health' };
  if (segs[0] === 'openapi' && segs[1] === 'v2' && segs.length === 2) return { type: 'openapiV2' };
  if (segs[0] === 'openapi' && segs[1] === 'v3') {
    return segs.length === 2
      ? { type: 'openapiRoot' }
      : { type: 'openapiGroupVersion', path: segs.slice(2).join('/') };
  }
  let apiVersion: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'api' };
    if (segs[1] !== 'v1') return { type: 'notFound' };
    if (segs.length === 2) return { type: 'groupVersion', groupVersion: 'v1' };
    apiVersion = 'v1';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'apis' };
    if (segs.length === 2) return { type: 'group', group: segs[1]! };
    apiVersion = `${segs[1]}/${segs[2]}`;
    if (segs.length === 3) return { type: 'groupVersion', groupVersion: apiVersion };
    rest = segs.slice(3);
  } else {
    return { type: 'notFound' };
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = catalog.find(apiVersion, rest[2]!);
    if (candidate?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const rt = catalog.find(apiVersion, rest[0]!);
  const proxy = rest[2] === 'proxy';
  if (!rt || (rest.length > 3 && !proxy)) return { type: 'notFound' };
  if (rt.namespaced && namespace === undefined && rest.length > 1) return { type: 'notFound' };
  if (!rt.namespaced && namespace !== undefined) return { type: 'notFound' };
  return {
    type: 'resource',
    rt,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
    ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
    ...(proxy ? { proxyPath: rest.slice(3).join('/') } : {}),
  };
}
