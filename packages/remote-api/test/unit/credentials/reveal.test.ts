import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { credentialReveal } from '@cnpg-mcp/catalog';
import { ApiException } from '@kubernetes/client-node';
import type { KubeApis } from '../../../src/kube/client.js';
import { parsePolicy } from '../../../src/policy.js';
import type { ClusterObject } from '../../../src/tools/cluster/model.js';
import {
  credentialRevealTool,
  passwordSecretOf,
  planReveal,
  requireRevealAllowed,
} from '../../../src/tools/credentials/reveal.js';
import type { KubeObject } from '../../../src/tools/framework/kinds.js';
import { resolveReferences } from '../../../src/tools/framework/resolve.js';
import { accessOf, admin, alice, bob, deniedBy, object, refusedWith } from '../backups/fixtures.js';

const args = (input: Record<string, unknown> = {}) =>
  credentialReveal.inputSchema.parse({ cluster: 'pg', ...input });
const b64 = (value: string) => Buffer.from(value).toString('base64');

const cluster = object('Cluster', 'pg', alice, {
  spec: {
    bootstrap: { initdb: { database: 'shop', owner: 'shop' } },
    managed: { roles: [{ name: 'inline', passwordSecret: { name: 'pg-inline' } }, { name: 'nopass' }] },
  },
}) as ClusterObject;
const databaseRole = (name: string, owner = alice) =>
  object('DatabaseRole', `pg-${name}`, owner, {
    spec: { cluster: { name: 'pg' }, name, passwordSecret: { name: `pg-${name}-password` } },
  });
const secret = (name: string, owner = alice, password = 'hunter2'): KubeObject => ({
  ...object('Secret', name, owner),
  apiVersion: 'v1',
  data: { username: b64('shop'), password: b64(password) },
});

describe('credential_reveal: who may reveal at all (before anything is read)', () => {
  test('the credentialReveal rule and the read-only rule', () => {
    const policy = (raw: Record<string, unknown>) => parsePolicy(raw, 'test');
    const caller = (identity = alice, raw: Record<string, unknown> = {}, writable = true) => ({
      access: {
        ...accessOf(identity, raw),
        ...(writable ? {} : { readOnly: true, readOnlyReason: 'the token lacks the mcp:write scope' }),
      },
      policy: policy(raw),
    });
    requireRevealAllowed(caller());
    requireRevealAllowed(caller(admin, { credentialReveal: 'admins' }));
    assert.throws(
      () => requireRevealAllowed(caller(alice, { credentialReveal: 'admins' })),
      deniedBy('credentialReveal', /limited to administrators only/),
    );
    assert.throws(
      () => requireRevealAllowed(caller(admin, { credentialReveal: 'off' })),
      deniedBy('credentialReveal', /limited to nobody/),
    );
    assert.throws(() => requireRevealAllowed(caller(alice, {}, false)), deniedBy('read_only', /mcp:write/));
    assert.equal(credentialRevealTool.gate, requireRevealAllowed);
  });
});

describe('credential_reveal: where the password is', () => {
  test('the application owner (default), an inline role, a DatabaseRole; refusals', () => {
    assert.deepEqual(passwordSecretOf(args(), cluster, undefined), { role: 'shop', secretName: 'pg-app' });
    assert.deepEqual(passwordSecretOf(args({ name: 'inline' }), cluster, undefined), {
      role: 'inline',
      secretName: 'pg-inline',
    });
    assert.deepEqual(passwordSecretOf(args({ name: 'reporting' }), cluster, databaseRole('reporting')), {
      role: 'reporting',
      secretName: 'pg-reporting-password',
    });
    assert.throws(
      () => passwordSecretOf(args({ name: 'nopass' }), cluster, undefined),
      refusedWith('precondition', /role "nopass" has no password Secret/),
    );
    assert.throws(
      () => passwordSecretOf(args({ name: 'ghost' }), cluster, undefined),
      refusedWith('not_found', /role "ghost" is not declared on cluster team-a\/pg; role_list/),
    );
  });

  test('the Secret’s password and user name; a missing Secret or key is refused', () => {
    assert.deepEqual(planReveal(args(), { cluster, role: undefined, secret: secret('pg-app') }), {
      role: 'shop',
      secretName: 'pg-app',
      username: 'shop',
      password: 'hunter2',
    });
    assert.throws(
      () => planReveal(args(), { cluster, role: undefined, secret: undefined }),
      refusedWith('not_found', /Secret "pg-app" of role "shop" not found in namespace "team-a"/),
    );
    assert.throws(
      () => planReveal(args(), { cluster, role: undefined, secret: secret('pg-app', alice, '') }),
      refusedWith('precondition', /has no password key/),
    );
  });
});

/** Kubernetes for reference resolution: Clusters, DatabaseRoles (got and listed) and Secrets, by name. */
function kubeWith(objects: KubeObject[]): KubeApis {
  const notFound = () => Promise.reject(new ApiException(404, 'Not Found', '{"reason":"NotFound"}', {}));
  const get = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    return found ? Promise.resolve(found) : notFound();
  };
  const kindOf: Record<string, string> = { clusters: 'Cluster', databaseroles: 'DatabaseRole' };
  return {
    custom: {
      getNamespacedCustomObject: (p: { plural: string; name: string }) => get(kindOf[p.plural] ?? '', p.name),
      listNamespacedCustomObject: async (p: { plural: string }) => ({
        items: objects.filter((o) => o.kind === kindOf[p.plural]),
      }),
      getAPIResources: async () => ({ resources: [{ name: 'databaseroles' }] }),
    },
    core: { readNamespacedSecret: (p: { name: string }) => get('Secret', p.name) },
    options: undefined,
  } as unknown as KubeApis;
}

describe('credential_reveal: the cluster, the DatabaseRole and the Secret must be the caller’s', () => {
  const resolve = (objects: KubeObject[], input: Record<string, unknown>, who = alice, policy = {}) =>
    resolveReferences(credentialRevealTool.references, args(input), {
      apis: kubeWith(objects),
      namespace: 'team-a',
      identity: who,
      access: accessOf(who, policy),
    });

  test('alice reads her cluster, her DatabaseRole and its Secret', async () => {
    const { references, observed } = await resolve(
      [cluster, databaseRole('reporting'), secret('pg-reporting-password')],
      { name: 'reporting' },
    );
    assert.deepEqual(
      references.map((r) => `${r.intent} ${r.kind} ${r.name}`),
      ['use Cluster pg', 'use DatabaseRole pg-reporting', 'use Secret pg-reporting-password'],
    );
    assert.equal(observed.secret?.metadata.name, 'pg-reporting-password');
  });

  test('bob is refused on alice’s cluster before its Secret is read', async () => {
    const read: string[] = [];
    const objects = [cluster, secret('pg-app')];
    const apis = kubeWith(objects);
    const readSecret = apis.core.readNamespacedSecret.bind(apis.core);
    apis.core.readNamespacedSecret = ((p: { name: string }) => {
      read.push(p.name);
      return readSecret(p as never);
    }) as typeof apis.core.readNamespacedSecret;
    await assert.rejects(
      resolveReferences(credentialRevealTool.references, args(), {
        apis,
        namespace: 'team-a',
        identity: bob,
        access: accessOf(bob),
      }),
      deniedBy('ownership', /the cluster of the role \(Cluster team-a\/pg\) was created by alice-/),
    );
    assert.deepEqual(read, []);
  });

  test('a DatabaseRole made outside cnpg-mcp, on alice’s own cluster, is an admin’s to reveal', async () => {
    const unlabelled = object('DatabaseRole', 'pg-ops', undefined, {
      spec: { cluster: { name: 'pg' }, name: 'ops', passwordSecret: { name: 'pg-ops-password' } },
    });
    await assert.rejects(
      resolve([cluster, unlabelled, secret('pg-ops-password', undefined)], { name: 'ops' }),
      deniedBy('unlabelled', /DatabaseRole team-a\/pg-ops/),
    );
    await resolve([cluster, unlabelled, secret('pg-ops-password', undefined)], { name: 'ops' }, admin);
  });

  test('a Secret that is someone else’s is not revealed, whatever points at it', async () => {
    await assert.rejects(
      resolve([cluster, secret('pg-app', bob)], {}),
      deniedBy('ownership', /the Secret with the password \(Secret team-a\/pg-app\) was created by bob-/),
    );
  });
});
