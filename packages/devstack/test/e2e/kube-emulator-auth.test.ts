// Emulator-only: the RBAC policy and users are emulator start options (a real cluster has its own).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';
import { expectStatus } from '../support/kube-support.js';

const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' };

describe('emulator authentication, RBAC, impersonation and access reviews', () => {
  let kube: KubeEmulator;
  let admin: k8s.KubeConfig;
  const clientFor = (token: string) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kube.kubeconfigFor(token));
    return kc;
  };
  let alice: k8s.KubeConfig;
  let bob: k8s.KubeConfig;

  before(async () => {
    kube = await startKubeEmulator({
      stepDelayMs: 0,
      namespaces: ['apps'],
      users: [
        { username: 'alice', token: 'alice-token', groups: ['developers'] },
        { username: 'bob', token: 'bob-token' },
        { username: 'gateway', token: 'gateway-token' },
      ],
      rbac: {
        groups: {
          developers: [
            {
              verbs: ['get', 'list', 'watch'],
              apiGroups: ['postgresql.cnpg.io'],
              resources: ['clusters'],
              namespaces: ['apps'],
            },
          ],
          'system:serviceaccounts:apps': [
            { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], namespaces: ['apps'] },
          ],
        },
        users: {
          gateway: [
            { verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
            { verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'], namespaces: ['apps'] },
          ],
        },
      },
    });
    admin = new k8s.KubeConfig();
    admin.loadFromFile(kube.kubeconfigPath);
    alice = clientFor('alice-token');
    bob = clientFor('bob-token');
  });
  after(async () => {
    await kube.close();
  });

  test('allowed verbs pass; others get 403 bodies worded like the RBAC authorizer', async () => {
    const api = alice.makeApiClient(k8s.CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({
      ...CNPG,
      namespace: 'apps',
      plural: 'clusters',
    })) as { items: unknown[] };
    assert.deepEqual(list.items, []);
    const otherNs = await expectStatus(
      api.listNamespacedCustomObject({ ...CNPG, namespace: 'default', plural: 'clusters' }),
      403,
    );
    assert.equal(otherNs.reason, 'Forbidden');
    assert.equal(
      otherNs.message,
      'clusters.postgresql.cnpg.io is forbidden: User "alice" cannot list resource "clusters" in API group "postgresql.cnpg.io" in the namespace "default"',
    );
    assert.deepEqual(otherNs.details, { group: 'postgresql.cnpg.io', kind: 'clusters' });
    const create = await expectStatus(
      api.createNamespacedCustomObject({
        ...CNPG,
        namespace: 'apps',
        plural: 'clusters',
        body: {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          metadata: { name: 'x' },
          spec: { storage: { size: '1Gi' } },
        },
      }),
      403,
    );
    assert.match(create.message, /cannot create resource "clusters"/);
    const status = await expectStatus(
      api.patchNamespacedCustomObjectStatus(
        {
          ...CNPG,
          namespace: 'apps',
          plural: 'clusters',
          name: 'pg',
          body: { status: { targetPrimary: 'pg-2' } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
      403,
    );
    assert.equal(
      status.message,
      'clusters.postgresql.cnpg.io "pg" is forbidden: User "alice" cannot patch resource "clusters/status" in API group "postgresql.cnpg.io" in the namespace "apps"',
    );
    const allNs = await expectStatus(api.listClusterCustomObject({ ...CNPG, plural: 'clusters' }), 403);
    assert.match(allNs.message, /at the cluster scope$/);
    const secrets = await expectStatus(
      alice.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: 's', namespace: 'apps' }),
      403,
    );
    assert.equal(
      secrets.message,
      'secrets "s" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "apps"',
    );
  });

  test('impersonation needs the impersonate verb and then acts as the impersonated user', async () => {
    const asAlice = k8s.setHeaderOptions('Impersonate-User', 'alice');
    const asDeveloperAlice = k8s.setHeaderOptions(
      'Impersonate-User',
      'alice',
      k8s.setHeaderOptions('Impersonate-Group', 'developers'),
    );
    const gateway = clientFor('gateway-token').makeApiClient(k8s.CustomObjectsApi);
    const ok = (await gateway.listNamespacedCustomObject(
      { ...CNPG, namespace: 'apps', plural: 'clusters' },
      asDeveloperAlice,
    )) as {
      items: unknown[];
    };
    assert.deepEqual(ok.items, []);
    // Like kube-apiserver, impersonation carries only the groups named in headers (plus system:authenticated).
    const noGroups = await expectStatus(
      gateway.listNamespacedCustomObject({ ...CNPG, namespace: 'apps', plural: 'clusters' }, asAlice),
      403,
    );
    assert.match(noGroups.message, /User "alice" cannot list/);
    const notAllowed = await expectStatus(
      bob
        .makeApiClient(k8s.CustomObjectsApi)
        .listNamespacedCustomObject({ ...CNPG, namespace: 'apps', plural: 'clusters' }, asAlice),
      403,
    );
    assert.equal(
      notAllowed.message,
      'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const viaGroup = (await admin
      .makeApiClient(k8s.CustomObjectsApi)
      .listNamespacedCustomObject(
        { ...CNPG, namespace: 'apps', plural: 'clusters' },
        k8s.setHeaderOptions(
          'Impersonate-User',
          'carol',
          k8s.setHeaderOptions('Impersonate-Group', 'developers'),
        ),
      )) as { items: unknown[] };
    assert.deepEqual(viaGroup.items, []);
    const groupOnly = await fetch(`${kube.url}/api/v1/namespaces`, {
      headers: { Authorization: `Bearer ${kube.token}`, 'Impersonate-Group': 'developers' },
    });
    assert.equal(groupOnly.status, 400);
  });

  test('impersonating a service account needs the verb in its namespace and grants its groups', async () => {
    const gateway = clientFor('gateway-token').makeApiClient(k8s.CoreV1Api);
    const asRobot = k8s.setHeaderOptions('Impersonate-User', 'system:serviceaccount:apps:robot');
    const list = await gateway.listNamespacedConfigMap({ namespace: 'apps' }, asRobot);
    assert.ok(Array.isArray(list.items), 'Array.isArray(list.items)');
    const other = await expectStatus(
      gateway.listNamespacedConfigMap(
        { namespace: 'apps' },
        k8s.setHeaderOptions('Impersonate-User', 'system:serviceaccount:default:robot'),
      ),
      403,
    );
    assert.equal(
      other.message,
      'serviceaccounts "robot" is forbidden: User "gateway" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"',
    );
  });

  test('SelfSubjectAccessReview, SubjectAccessReview and SelfSubjectRulesReview answer from the policy', async () => {
    const authz = alice.makeApiClient(k8s.AuthorizationV1Api);
    const review = (ns: string, verb: string) =>
      authz.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: { namespace: ns, verb, group: 'postgresql.cnpg.io', resource: 'clusters' },
          },
        },
      });
    assert.equal((await review('apps', 'list')).status?.allowed, true);
    assert.equal((await review('apps', 'delete')).status?.allowed, false);
    assert.equal((await review('default', 'get')).status?.allowed, false);
    const sar = await admin.makeApiClient(k8s.AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: 'dave',
          groups: ['developers'],
          resourceAttributes: {
            namespace: 'apps',
            verb: 'watch',
            group: 'postgresql.cnpg.io',
            resource: 'clusters',
          },
        },
      },
    });
    assert.equal(sar.status?.allowed, true);
    const forbiddenSar = await expectStatus(
      authz.createSubjectAccessReview({
        body: { spec: { user: 'x', resourceAttributes: { verb: 'get', resource: 'pods' } } },
      }),
      403,
    );
    assert.match(
      forbiddenSar.message,
      /cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope/,
    );
    const rules = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: 'apps' } } });
    assert.ok(
      rules.status?.resourceRules.some((r) => r.resources?.includes('clusters') && r.verbs.includes('list')),
      "rules.status?.resourceRules.some((r) => r.resources?.includes('clusters') && r.verbs.in…",
    );
  });

  test('the policy can be replaced at run time', async () => {
    kube.setRbac({ users: { bob: [{ verbs: ['list'], apiGroups: [''], resources: ['namespaces'] }] } });
    const list = await bob.makeApiClient(k8s.CoreV1Api).listNamespace();
    assert.ok(
      list.items.some((n) => n.metadata?.name === 'apps'),
      "list.items.some((n) => n.metadata?.name === 'apps')",
    );
  });

  test('a 401 carries a Status body', async () => {
    const res = await fetch(`${kube.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });
});
