/** Objects and a read-only Kubernetes for the role and database tools' plan and reference tests (no stack). */
import { ApiException } from '@kubernetes/client-node';
import type { Identity } from '../../../src/identity.js';
import type { KubeApis } from '../../../src/kube/client.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';
import type { References } from '../../../src/tools/framework/references.js';
import { resolveReferences } from '../../../src/tools/framework/resolve.js';
import { accessOf, alice, object } from '../backups/fixtures.js';

export const NS = 'team-a';

/** Cluster `name` of `owner`, with inline managed roles. */
export function cluster(name: string, owner: Identity | undefined, roles: Record<string, unknown>[] = []) {
  return object('Cluster', name, owner, {
    spec: { instances: 1, ...(roles.length ? { managed: { roles } } : {}) },
  }) as ClusterObject;
}

export function databaseRole(cluster: string, role: string, owner: Identity | undefined, spec = {}) {
  return object('DatabaseRole', `${cluster}-${role}`, owner, {
    spec: {
      cluster: { name: cluster },
      name: role,
      passwordSecret: { name: `${cluster}-${role}-password` },
      ...spec,
    },
  });
}

export function database(cluster: string, name: string, owner: Identity | undefined, spec = {}) {
  return object('Database', `${cluster}-${name}`, owner, {
    spec: { cluster: { name: cluster }, name, owner: 'app', ...spec },
  });
}

/** A password Secret as role_create makes it (managed by cnpg-mcp, annotated with its role). */
export function passwordSecret(name: string, role: string, owner: Identity | undefined): KubeObject {
  const made = object('Secret', name, owner);
  return {
    ...made,
    apiVersion: 'v1',
    metadata: {
      ...made.metadata,
      labels: { ...made.metadata.labels, ...(owner ? { 'app.kubernetes.io/managed-by': 'cnpg-mcp' } : {}) },
      annotations: { 'cnpg-mcp.io/role': role },
    },
    data: { username: 'eA==', password: 'eA==' },
  };
}

const PLURALS: Record<string, string> = {
  clusters: 'Cluster',
  databaseroles: 'DatabaseRole',
  databases: 'Database',
};

/**
 * Kubernetes as the framework reads it: objects got by name and listed by kind, Secrets read by
 * name, and discovery that serves DatabaseRole (CloudNativePG 1.30) or not (1.29).
 */
export function kubeWith(objects: KubeObject[], cnpg: '1.30' | '1.29' = '1.30'): KubeApis {
  const notFound = () => Promise.reject(new ApiException(404, 'Not Found', '{"reason":"NotFound"}', {}));
  const get = (kind: string | undefined, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    return found ? Promise.resolve(found) : notFound();
  };
  return {
    custom: {
      getNamespacedCustomObject: (p: { plural: string; name: string }) => get(PLURALS[p.plural], p.name),
      listNamespacedCustomObject: async (p: { plural: string }) => {
        if (p.plural === 'databaseroles' && cnpg === '1.29') return notFound();
        return { items: objects.filter((o) => o.kind === PLURALS[p.plural]) };
      },
      getAPIResources: async () => ({
        resources: [{ name: 'clusters' }, ...(cnpg === '1.30' ? [{ name: 'databaseroles' }] : [])],
      }),
    },
    core: { readNamespacedSecret: (p: { name: string }) => get('Secret', p.name) },
    options: undefined,
  } as unknown as KubeApis;
}

/** Resolves a tool's declared references as the framework does before `run`. */
export function resolveFor<Args>(
  references: References<Args>,
  args: Args,
  objects: KubeObject[],
  options: { who?: Identity; policy?: Record<string, unknown>; cnpg?: '1.30' | '1.29' } = {},
) {
  const who = options.who ?? alice;
  return resolveReferences(references, args, {
    apis: kubeWith(objects, options.cnpg),
    namespace: NS,
    identity: who,
    access: accessOf(who, options.policy),
  });
}

/** The resolved references as `intent Kind name`, with ` (absent)` for an optional one that was not found. */
export const described = (resolved: Awaited<ReturnType<typeof resolveFor>>) =>
  resolved.references.map(
    (r) => `${r.intent} ${r.kind} ${r.name}${r.exists || r.intent === 'create' ? '' : ' (absent)'}`,
  );
