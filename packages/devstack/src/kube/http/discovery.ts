/** Discovery documents: /version, /api, /apis, /api/v1, /apis/{group}[/{version}]. */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from '../api/resources.js';

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '34',
    gitVersion: 'v1.34.0-cnpg-mcp-emulator',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-08-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

function groupsOf(catalog: ResourceCatalog): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of catalog.groupVersions()) {
    if (!group) continue;
    const versions = groups.get(group) ?? [];
    if (!versions.includes(version)) versions.push(version);
    groups.set(group, versions);
  }
  return groups;
}

export function apiGroupList(catalog: ResourceCatalog): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupsOf(catalog)].map(([group, versions]) => groupDoc(group, versions)),
  };
}

export function apiGroup(catalog: ResourceCatalog, group: string): Record<string, unknown> | undefined {
  const versions = groupsOf(catalog).get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, versions) } : undefined;
}

function storageVersionHash(rt: ResourceType): string {
  return createHash('sha256')
    .update(`${apiVersionOf(rt)}/${rt.kind}`)
    .digest('base64')
    .slice(0, 11);
}

function resourceEntries(rt: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: rt.plural,
    singularName: rt.singular,
    namespaced: rt.namespaced,
    kind: rt.kind,
    verbs: [...rt.verbs],
  };
  if (rt.shortNames) main.shortNames = [...rt.shortNames];
  if (rt.categories) main.categories = [...rt.categories];
  if (!rt.createOnly) main.storageVersionHash = storageVersionHash(rt);
  const entries = [main];
  for (const sub of rt.subresources) {
    if (sub === 'scale') {
      entries.push({
        name: `${rt.plural}/scale`,
        singularName: '',
        namespaced: rt.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    } else if (sub === 'proxy') {
      entries.push({
        name: `${rt.plural}/proxy`,
        singularName: '',
        namespaced: true,
        kind: 'PodProxyOptions',
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      });
    } else if (sub === 'log') {
      entries.push({
        name: `${rt.plural}/log`,
        singularName: '',
        namespaced: true,
        kind: 'Pod',
        verbs: ['get'],
      });
    } else {
      entries.push({
        name: `${rt.plural}/status`,
        singularName: '',
        namespaced: rt.namespaced,
        kind: rt.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return entries;
}

export function apiResourceList(
  catalog: ResourceCatalog,
  groupVersion: string,
): Record<string, unknown> | undefined {
  const types = catalog.all().filter((rt) => apiVersionOf(rt) === groupVersion);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    ...(groupVersion === 'v1' ? {} : { apiVersion: 'v1' }),
    groupVersion,
    resources: types.flatMap(resourceEntries),
  };
}
