/**
 * Minimal OpenAPI v3 discovery. kubectl reads it to learn that PATCH accepts `fieldValidation` (so it
 * validates server-side); without it kubectl falls back to /openapi/v2 and refuses to apply.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from '../api/resources.js';

function gvPath(groupVersion: string): string {
  return groupVersion === 'v1' ? 'api/v1' : `apis/${groupVersion}`;
}

export function openApiRoot(catalog: ResourceCatalog): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, version } of catalog.groupVersions()) {
    const gv = group ? `${group}/${version}` : version;
    const hash = createHash('sha256').update(gv).digest('hex').slice(0, 16).toUpperCase();
    paths[gvPath(gv)] = { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=${hash}` };
  }
  return { paths };
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function itemPath(rt: ResourceType): string {
  const base = `/${gvPath(apiVersionOf(rt))}`;
  return rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}/{name}` : `${base}/${rt.plural}/{name}`;
}

export function openApiGroupVersion(
  catalog: ResourceCatalog,
  path: string,
): Record<string, unknown> | undefined {
  const types = catalog.all().filter((rt) => gvPath(apiVersionOf(rt)) === path && !rt.createOnly);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const rt of types) {
    const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
    paths[itemPath(rt)] = {
      patch: {
        operationId: `patch${rt.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: QUERY_PARAMS.map((name) => ({
          name,
          in: 'query',
          schema: { type: 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.34.0' },
    paths,
    components: { schemas: {} },
  };
}
