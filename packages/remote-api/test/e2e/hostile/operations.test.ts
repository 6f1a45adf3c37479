/**
 * Hostile colleague, cluster operations, credentials and observability: bob shares a namespace with
 * alice and tries to restart, hibernate, fence, switch over, destroy instances of, or open a
 * maintenance window on her cluster; to reveal her passwords; and, on a server whose policy limits
 * reads to what each person created, to read her cluster's logs, events, pods and connection
 * details. Every outcome is read back from the Kubernetes API as its administrator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type LocalStack, startLocalStack } from '../../../../devstack/src/stack.js';
import { OWNER_LABEL } from '../../../src/identity.js';
import { call, ok, fails as refused, textOf as text } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

const NS = 'team-o';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const POLICY = {
  admins: { groups: ['cnpg-admins'] },
  namespaces: { everyone: [NS] },
  ownership: { enforced: true },
};
const HERS = 'alicedb';
const HIS = 'bobdb';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk tool results and Kubernetes objects.
type Loose = any;
let stack: LocalStack;
let alice: Client;
let bob: Client;
/** alice and bob on a server whose policy says reads: owned. */
let aliceOwnedReads: Client;
let bobOwnedReads: Client;
let aliceId: string;

async function clusterObject(name: string): Promise<Loose> {
  return stack.admin.custom.getNamespacedCustomObject({ ...CNPG, plural: 'clusters', namespace: NS, name });
}

/**
 * What an operation on the cluster would change, as Kubernetes has it: the Cluster's annotations,
 * spec and switchover state, and every Pod and volume of the cluster with its uid (a deleted and
 * recreated one has a new uid).
 */
async function stateOf(name: string): Promise<string> {
  await stack.kube.settle();
  const cluster = await clusterObject(name);
  const selector = { namespace: NS, labelSelector: `cnpg.io/cluster=${name}` };
  const pods = (await stack.admin.core.listNamespacedPod(selector)).items;
  const pvcs = (await stack.admin.core.listNamespacedPersistentVolumeClaim(selector)).items;
  const uids = (items: { metadata?: { name?: string; uid?: string } }[]) =>
    items.map((i) => `${i.metadata?.name}=${i.metadata?.uid}`).sort();
  return JSON.stringify({
    annotations: cluster.metadata.annotations ?? {},
    spec: cluster.spec,
    status: {
      phase: cluster.status?.phase,
      currentPrimary: cluster.status?.currentPrimary,
      targetPrimary: cluster.status?.targetPrimary,
      instanceNames: cluster.status?.instanceNames,
    },
    pods: uids(pods),
    pvcs: uids(pvcs),
  });
}

async function secretPassword(name: string): Promise<string> {
  const secret = await stack.admin.core.readNamespacedSecret({ namespace: NS, name });
  return Buffer.from(secret.data?.password ?? '', 'base64').toString('utf8');
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1 },
    remoteApi: { env: { DEFAULT_NAMESPACE: NS }, policy: POLICY },
  });
  const ownedReads = await stack.startApi({
    env: { DEFAULT_NAMESPACE: NS },
    policy: { ...POLICY, reads: 'owned' },
  });
  const [aliceToken, bobToken] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
  [alice, bob, aliceOwnedReads, bobOwnedReads] = await Promise.all([
    connectClient(stack.api, aliceToken),
    connectClient(stack.api, bobToken),
    connectClient(ownedReads, aliceToken),
    connectClient(ownedReads, bobToken),
  ]);
  aliceId = String((await ok(alice, 'whoami', {})).userId);
  const create = (client: Client, name: string, instances: number) =>
    ok(client, 'cluster_create', {
      name,
      instances,
      storage_size: '1Gi',
      wait: true,
      wait_timeout_seconds: 60,
    });
  await Promise.all([create(alice, HERS, 3), create(bob, HIS, 1)]);
  await ok(alice, 'role_create', { cluster: HERS, name: 'reporting', wait: true, wait_timeout_seconds: 30 });
  // Something fenced, so that unfencing would show.
  await ok(alice, 'cluster_fence', { name: HERS, instance: `${HERS}-3` });
  await stack.kube.settle();
});

after(async () => {
  await Promise.all([alice?.close(), bob?.close(), aliceOwnedReads?.close(), bobOwnedReads?.close()]);
  await stack?.close();
});

describe('bob cannot operate alice’s cluster: refused, and nothing changes in Kubernetes', () => {
  const attacks: [string, string, Record<string, unknown>][] = [
    ['cluster_restart', 'a rolling restart', {}],
    ['cluster_restart', 'a replica deleted and recreated', { instance: `${HERS}-2` }],
    ['cluster_restart', 'the primary restarted in place', { instance: `${HERS}-1` }],
    ['cluster_reload', 'a configuration reload', {}],
    ['cluster_hibernate', 'hibernation', { confirm: HERS }],
    ['cluster_resume', 'resuming', {}],
    ['cluster_fence', 'an instance fenced', { instance: `${HERS}-2` }],
    ['cluster_fence', 'every instance fenced', { instance: '*' }],
    ['cluster_unfence', 'an instance unfenced', { instance: '*' }],
    ['cluster_switchover', 'a switchover', { target_instance: `${HERS}-2`, force: true }],
    [
      'cluster_instance_destroy',
      'an instance and its volumes destroyed',
      { instance: `${HERS}-3`, confirm: `${HERS}-3` },
    ],
    ['cluster_maintenance', 'a maintenance window', { in_progress: true, reuse_pvc: false }],
  ];
  for (const [tool, what, args] of attacks) {
    test(`${tool}: ${what}`, async () => {
      const before = await stateOf(HERS);
      const result = await call(bob, tool, { name: HERS, ...args });
      assert.equal(
        await stateOf(HERS),
        before,
        `alice’s cluster, pods and volumes are unchanged (${tool} answered: ${text(result)})`,
      );
      assert.equal(result.isError, true);
      // The Cluster is checked first; the instance's Pod and volumes carry her label too.
      assert.match(
        text(result),
        new RegExp(
          `Denied by policy \\(rule ownership\\): .+ \\(\\w+ ${NS}/${HERS}[-\\w]*\\) was created by ${aliceId}`,
        ),
      );
    });
  }

  test('naming his own cluster, he cannot reach her instance either', async () => {
    const before = await stateOf(HERS);
    const destroy = await call(bob, 'cluster_instance_destroy', {
      name: HIS,
      instance: `${HERS}-3`,
      confirm: `${HERS}-3`,
    });
    const restart = await call(bob, 'cluster_restart', { name: HIS, instance: `${HERS}-2` });
    assert.equal(await stateOf(HERS), before, 'alice’s pods and volumes are unchanged');
    assert.match(text(destroy), /"alicedb-3" is not an instance of cluster bobdb/);
    assert.match(text(restart), /"alicedb-2" is not an instance of cluster bobdb/);
  });
});

describe('bob cannot reveal alice’s passwords', () => {
  test('her application owner’s password and her role’s are refused; the reply carries neither', async () => {
    const passwords = [
      await secretPassword(`${HERS}-app`),
      await secretPassword(`${HERS}-reporting-password`),
    ];
    for (const args of [{ cluster: HERS }, { cluster: HERS, name: 'reporting' }]) {
      const reply = await refused(bob, 'credential_reveal', args, /Denied by policy \(rule ownership\)/);
      for (const password of passwords) assert.ok(!reply.includes(password), 'no password in the reply');
    }
    // The same calls succeed for alice: the refusal is about bob, not the calls.
    assert.equal((await ok(alice, 'credential_reveal', { cluster: HERS })).password, passwords[0]);
  });

  test('a Secret of alice’s that bob’s own cluster points at (an administrator’s mistake) is not revealed to him', async () => {
    await stack.admin.custom.patchNamespacedCustomObject(
      {
        ...CNPG,
        plural: 'clusters',
        namespace: NS,
        name: HIS,
        body: {
          spec: {
            managed: {
              roles: [
                {
                  name: 'borrowed',
                  ensure: 'present',
                  login: true,
                  passwordSecret: { name: `${HERS}-reporting-password` },
                },
              ],
            },
          },
        },
      },
      mergePatch,
    );
    const reply = await refused(
      bob,
      'credential_reveal',
      { cluster: HIS, name: 'borrowed' },
      new RegExp(
        `rule ownership\\): the Secret with the password \\(Secret ${NS}/${HERS}-reporting-password\\) was created by ${aliceId}`,
      ),
    );
    assert.ok(
      !reply.includes(await secretPassword(`${HERS}-reporting-password`)),
      'the reply does not carry her password',
    );
  });

  test('a role an administrator put on bob’s cluster with kubectl (no owner label) is not his to reveal', async () => {
    await stack.admin.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: `${HIS}-ops-password` },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'ops', password: 'the-admins-own-password' },
      },
    });
    await stack.admin.custom.createNamespacedCustomObject({
      ...CNPG,
      plural: 'databaseroles',
      namespace: NS,
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'DatabaseRole',
        metadata: { name: `${HIS}-ops` },
        spec: {
          cluster: { name: HIS },
          name: 'ops',
          login: true,
          superuser: true,
          passwordSecret: { name: `${HIS}-ops-password` },
        },
      },
    });
    const reply = await refused(
      bob,
      'credential_reveal',
      { cluster: HIS, name: 'ops' },
      /Denied by policy \(rule unlabelled\)/,
    );
    assert.ok(!reply.includes('the-admins-own-password'), "!reply.includes('the-admins-own-password')");
    const role = await stack.admin.custom.getNamespacedCustomObject({
      ...CNPG,
      plural: 'databaseroles',
      namespace: NS,
      name: `${HIS}-ops`,
    });
    assert.equal((role as Loose).metadata.labels?.[OWNER_LABEL], undefined, 'the role stays an admin’s');
  });
});

describe('with reads: owned, bob cannot read alice’s cluster', () => {
  const reads: [string, Record<string, unknown>][] = [
    ['cluster_logs', { tail: 50 }],
    ['cluster_events', {}],
    ['cluster_pods', {}],
    ['cluster_connection_info', {}],
  ];
  for (const [tool, args] of reads) {
    test(`${tool} is refused and shows nothing of hers`, async () => {
      const reply = await refused(
        bobOwnedReads,
        tool,
        { name: HERS, ...args },
        new RegExp(
          `Denied by policy \\(rule reads\\): cluster \\(Cluster ${NS}/${HERS}\\) was created by ${aliceId};.*policy key reads`,
          's',
        ),
      );
      for (const pod of (await stack.admin.core.listNamespacedPod({ namespace: NS })).items) {
        if (pod.metadata?.labels?.['cnpg.io/cluster'] !== HERS) continue;
        assert.ok(!reply.includes(pod.metadata.name ?? '?'), `no pod name of hers: ${reply}`);
        if (pod.status?.podIP) assert.ok(!reply.includes(pod.status.podIP), 'no pod address of hers');
      }
      assert.ok(!reply.includes(`${HERS}-rw`), 'no Service of hers');
      // alice reads her own cluster through the same server, and bob his own.
      await ok(aliceOwnedReads, tool, { name: HERS, ...args });
      await ok(bobOwnedReads, tool, { name: HIS, ...args });
    });
  }
});
