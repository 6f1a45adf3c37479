/** People, policies and objects for the backup tools' plan tests (no stack, no I/O). */
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { type Identity, identityFromClaims, OWNER_LABEL } from '../../../src/identity.js';
import type { KubeApis } from '../../../src/kube/client.js';
import { type Access, accessFor, PolicyDenied, parsePolicy } from '../../../src/policy.js';
import { ToolFailure } from '../../../src/tools/context.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk planned Kubernetes bodies.
export type Loose = any;

const ISSUER = 'http://127.0.0.1:1';

export function person(sub: string, groups: string[] = []): Identity {
  return identityFromClaims({ iss: ISSUER, sub, groups }, ['mcp:read', 'mcp:write'], 'groups');
}

export const alice = person('alice');
export const bob = person('bob');
export const admin = person('admin', ['cnpg-admins']);

export function accessOf(identity: Identity, policy: Record<string, unknown> = {}): Access {
  const full = { admins: { groups: ['cnpg-admins'] }, ownership: { enforced: true }, ...policy };
  return accessFor(parsePolicy(full, 'test'), identity, ['*'], true, 'mcp:write');
}

/** A CloudNativePG object of `kind`, made through cnpg-mcp by `owner` (or by no one: undefined). */
export function object(
  kind: string,
  name: string,
  owner: Identity | undefined,
  parts: { spec?: Record<string, unknown>; status?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind,
    metadata: {
      name,
      namespace: 'team-a',
      uid: `uid-${name}`,
      ...(owner ? { labels: { [OWNER_LABEL]: owner.userId } } : {}),
    },
    ...parts,
  };
}

export const PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** A cluster with the Barman Cloud plugin as WAL archiver and volume snapshots configured. */
export function backedUpCluster(
  name: string,
  owner: Identity | undefined,
  spec: Record<string, unknown> = {},
) {
  return object('Cluster', name, owner, {
    spec: {
      instances: 1,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5',
      storage: { size: '1Gi' },
      plugins: [{ name: PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: 'store' } }],
      backup: { volumeSnapshot: { className: 'csi' } },
      ...spec,
    },
  });
}

export function refusedWith(kind: ToolFailure['kind'], message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ToolFailure, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  };
}

export function deniedBy(rule: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof PolicyDenied, String(error));
    assert.equal(error.rule, rule);
    if (message) assert.match(error.message, message);
    return true;
  };
}

/** Kubernetes for reference resolution: objects (CNPG kinds and Secrets) by kind and name; reads only. */
export function objectsApi(objects: KubeObject[]): KubeApis {
  const plural = (kind: string | undefined) => `${(kind ?? '').toLowerCase()}s`;
  const find = (params: { plural: string; name: string }) => {
    const found = objects.find((o) => plural(o.kind) === params.plural && o.metadata.name === params.name);
    if (!found) return Promise.reject(new ApiException(404, 'Not Found', '{"reason":"NotFound"}', {}));
    return Promise.resolve(found);
  };
  return {
    custom: { getNamespacedCustomObject: find, getClusterCustomObject: find },
    core: { readNamespacedSecret: ({ name }: { name: string }) => find({ plural: 'secrets', name }) },
    options: undefined,
  } as unknown as KubeApis;
}
