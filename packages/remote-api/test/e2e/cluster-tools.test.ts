import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DevOidc, KubeEmulator } from '../../../devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import type { AuditRecord } from '../../src/audit.js';
import { connectClient } from '../support/support.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary Kubernetes objects.
type Loose = any;
type Result = CallToolResult & { structuredContent?: Record<string, Loose> };

const NS = 'team-a';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters' } as const;
const PG = 'pg-alice';

let stack: LocalStack;
let oidc: DevOidc;
let kube: KubeEmulator;
let api: StackApi;
let alice: Client;
let bob: Client;
let admin: Client;
let custom: CustomObjectsApi;
let core: CoreV1Api;

before(async () => {
  stack = await startLocalStack({
    kube: { namespaces: [NS, 'team-b'], stepDelayMs: 1 },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS },
      policy: {
        admins: { groups: ['cnpg-admins'] },
        namespaces: { everyone: [NS] },
        ownership: { enforced: true },
        quotas: { clustersPerUser: 2, instancesPerCluster: 5, storagePerCluster: '20Gi' },
      },
    },
  });
  ({ oidc, kube, api } = stack);
  ({ custom, core } = stack.admin);
  const [a, b, c] = await Promise.all(['alice', 'bob', 'admin'].map((username) => stack.tokenFor(username)));
  [alice, bob, admin] = await Promise.all([
    connectClient(api, a!),
    connectClient(api, b!),
    connectClient(api, c!),
  ]);
});

after(async () => {
  await Promise.all([alice.close(), bob.close(), admin.close()]);
  await stack.close();
});

const textOf = (r: Result) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Result> {
  return (await client.callTool({ name, arguments: args })) as Result;
}

async function ok(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  return result.structuredContent as Record<string, Loose>;
}

async function fails(client: Client, name: string, args: Record<string, unknown>, pattern: RegExp) {
  const result = await call(client, name, args);
  assert.equal(result.isError, true, `${name} should fail`);
  assert.match(textOf(result), pattern);
  return textOf(result);
}

async function getCluster(name = PG, namespace = NS): Promise<Loose | undefined> {
  try {
    return await custom.getNamespacedCustomObject({ ...CNPG, namespace, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

const podNames = async () =>
  (
    await core.listNamespacedPod({
      namespace: NS,
      labelSelector: `cnpg.io/cluster=${PG},cnpg.io/podRole=instance`,
    })
  ).items
    .map((p) => p.metadata!.name!)
    .sort();
const pvcNames = async () =>
  (
    await core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: `cnpg.io/cluster=${PG}` })
  ).items
    .map((p) => p.metadata!.name!)
    .sort();

/** What a refused or dry-run call must leave untouched: the spec, the annotations, the pods and volumes. */
async function snapshot() {
  await kube.settle();
  const cluster = await getCluster();
  return JSON.stringify({
    spec: cluster?.spec,
    annotations: cluster?.metadata?.annotations,
    pods: await podNames(),
    pvcs: await pvcNames(),
  });
}

const auditLines = () => api.audit.records<AuditRecord>();

describe('cluster_create', () => {
  test('creates, waits with progress notifications, labels the owner, audits', async () => {
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const result = (await alice.callTool(
      {
        name: 'cluster_create',
        arguments: {
          name: PG,
          instances: 3,
          image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie',
          storage_size: '1Gi',
          parameters: { work_mem: '4MB' },
          database: 'shop',
          wait: true,
          wait_timeout_seconds: 60,
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as Result;
    assert.ok(!result.isError, textOf(result));
    assert.equal(result.structuredContent?.waited, true);
    assert.equal(result.structuredContent?.readyInstances, 3);
    assert.match(textOf(result), /healthy with 3\/3/);
    // The SDK client handles notifications a microtask after a response that arrives in the same
    // chunk, so the very last notification may be dropped; the ones during the wait must arrive.
    assert.ok(progress.length >= 1, `progress notifications: ${JSON.stringify(progress)}`);
    assert.ok(
      progress.every((p) => p.total === 3 && p.progress <= 3),
      'progress.every((p) => p.total === 3 && p.progress <= 3)',
    );
    assert.deepEqual(
      progress.map((p) => p.progress),
      progress.map((p) => p.progress).sort((a, b) => a - b),
      'progress never goes backwards',
    );
    assert.ok(
      progress.some((p) => (p.message ?? '').includes('instances ready')),
      "progress.some((p) => (p.message ?? '').includes('instances ready'))",
    );

    const cluster = await getCluster();
    const who = await ok(alice, 'whoami', {});
    assert.equal(cluster.metadata.labels['cnpg-mcp.io/created-by'], who.userId);
    assert.equal(cluster.metadata.labels['app.kubernetes.io/managed-by'], 'cnpg-mcp');
    assert.equal(cluster.metadata.annotations['cnpg-mcp.io/created-by-email'], 'alice@example.com');
    assert.equal(cluster.metadata.annotations['cnpg-mcp.io/created-by-iss'], oidc.issuer);
    assert.equal(cluster.metadata.annotations['cnpg-mcp.io/created-by-sub'], who.sub);
    assert.equal(cluster.spec.bootstrap.initdb.database, 'shop');
    assert.equal(cluster.spec.bootstrap.initdb.owner, 'shop');
    assert.equal(cluster.spec.inheritedMetadata.labels['cnpg-mcp.io/created-by'], who.userId);

    const line = auditLines().find((l) => l.tool === 'cluster_create' && l.outcome === 'success');
    assert.ok(line, 'line');
    assert.equal(line.userId, who.userId);
    assert.equal(line.namespace, NS);
    assert.equal(line.name, PG);
    assert.equal(line.dryRun, false);
    assert.ok(
      !JSON.stringify(auditLines()).includes('work_mem'),
      'no arguments beyond namespace/name in audit',
    );
  });

  test('dry run validates on the server and writes nothing', async () => {
    const out = await ok(alice, 'cluster_create', { name: 'pg-dry', storage_size: '1Gi', dry_run: true });
    assert.equal(out.dryRun, true);
    assert.equal(out.object.metadata.name, 'pg-dry');
    assert.equal(
      out.object.metadata.labels['cnpg-mcp.io/created-by'],
      (await ok(alice, 'whoami', {})).userId,
    );
    assert.equal(await getCluster('pg-dry'), undefined);
  });

  test('every create option lands where CNPG expects it (server-side dry run through the schema and webhooks)', async () => {
    // The catalog must exist: the Cluster refers to it, and references are checked before a write.
    await custom.createClusterCustomObject({
      group: CNPG.group,
      version: CNPG.version,
      plural: 'clusterimagecatalogs',
      body: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ClusterImageCatalog',
        metadata: { name: 'postgresql' },
        spec: { images: [{ major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.5-system-trixie' }] },
      },
    });
    const out = await ok(admin, 'cluster_create', {
      name: 'pg-full',
      instances: 3,
      image_catalog: { kind: 'ClusterImageCatalog', name: 'postgresql', major: 17 },
      storage_size: '10Gi',
      storage_class: 'fast',
      wal_storage_size: '2Gi',
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      parameters: { shared_buffers: '256MB' },
      owner: 'shop_owner',
      affinity: {
        enablePodAntiAffinity: true,
        podAntiAffinityType: 'required',
        topologyKey: 'kubernetes.io/hostname',
      },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'postgres', effect: 'NoSchedule' }],
      node_selector: { 'node-role.kubernetes.io/db': '' },
      enable_pod_monitor: true,
      dry_run: true,
    });
    const spec = out.object.spec;
    assert.deepEqual(spec.imageCatalogRef, {
      apiGroup: 'postgresql.cnpg.io',
      kind: 'ClusterImageCatalog',
      name: 'postgresql',
      major: 17,
    });
    assert.equal(spec.imageName, undefined);
    assert.equal(spec.storage.size, '10Gi');
    assert.equal(spec.storage.storageClass, 'fast');
    assert.equal(spec.walStorage.size, '2Gi');
    assert.equal(spec.resources.requests.cpu, '500m');
    assert.equal(spec.postgresql.parameters.shared_buffers, '256MB');
    assert.equal(spec.bootstrap.initdb.database, 'app');
    assert.equal(spec.bootstrap.initdb.owner, 'shop_owner');
    assert.equal(spec.affinity.podAntiAffinityType, 'required');
    assert.equal(spec.affinity.tolerations[0].key, 'dedicated');
    assert.deepEqual(spec.affinity.nodeSelector, { 'node-role.kubernetes.io/db': '' });
    assert.equal(spec.monitoring, undefined, 'not the deprecated enablePodMonitor: a PodMonitor instead');
    assert.match(out.message, /metrics scraped through PodMonitor pg-full/);
    assert.equal(await getCluster('pg-full'), undefined);
  });

  test('bad input names the field and writes nothing', async () => {
    await fails(alice, 'cluster_create', { name: 'pg-bad', instances: 0, storage_size: '1Gi' }, /instances/);
    await fails(alice, 'cluster_create', { name: 'Bad_Name', storage_size: '1Gi' }, /name/);
    await fails(alice, 'cluster_create', { name: 'pg-bad', storage_size: 'ten' }, /storage_size/);
    // Known arguments stay strict to the last key (unknown top-level ones are only dropped).
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-bad', storage_size: '1Gi', resources: { requests: { cpu: '1' }, cores: 2 } },
      /resources: Unrecognized key: "cores"/,
    );
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-bad', storage_size: '1Gi', postgres_major: 17, image: 'ghcr.io/x/postgresql:17.1' },
      /image, postgres_major: give only one/,
    );
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-bad', storage_size: '1Gi', parameters: { port: '5433' } },
      /parameters: port is managed/,
    );
    assert.equal(await getCluster('pg-bad'), undefined);
    const invalid = auditLines().filter((l) => l.tool === 'cluster_create' && l.outcome === 'invalid_input');
    assert.ok(invalid.length >= 6, 'invalid.length >= 6');
  });

  test('policy: namespace, quotas', async () => {
    await fails(
      alice,
      'cluster_create',
      { namespace: 'team-b', name: 'pg-b', storage_size: '1Gi' },
      /Denied by policy \(rule namespace\).*team-b/,
    );
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-big', instances: 6, storage_size: '1Gi' },
      /rule quota\.instancesPerCluster/,
    );
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-big', instances: 3, storage_size: '10Gi' },
      /rule quota\.storagePerCluster/,
    );
    await ok(alice, 'cluster_create', { name: 'pg-second', storage_size: '1Gi' });
    await fails(
      alice,
      'cluster_create',
      { name: 'pg-third', storage_size: '1Gi' },
      /rule quota\.clustersPerUser.*2/,
    );
    assert.equal(await getCluster('pg-big'), undefined);
    assert.equal(await getCluster('pg-third'), undefined);
    const denied = auditLines().find((l) => l.outcome === 'denied' && l.reason === 'quota.clustersPerUser');
    assert.ok(denied, 'denied');
  });

  test('an existing name is a translated Kubernetes error', async () => {
    await fails(
      bob,
      'cluster_create',
      { name: PG, storage_size: '1Gi' },
      /already exists[\s\S]*Hint: Choose another name/,
    );
  });
});

describe('reading clusters', () => {
  test('cluster_list in one namespace, all namespaces, and a namespace not allowed', async () => {
    const list = await ok(alice, 'cluster_list', {});
    const mine = list.clusters.find((c: Loose) => c.name === PG);
    assert.equal(mine.readyInstances, 3);
    assert.equal(mine.instances, 3);
    assert.equal(mine.phase, 'Cluster in healthy state');
    assert.match(mine.primary, /^pg-alice-\d$/);
    assert.match(mine.owner, /^devstack-alice-[0-9a-f]{12}$/);
    assert.match(mine.image, /17\.5/);
    const all = await ok(alice, 'cluster_list', { all_namespaces: true });
    assert.deepEqual(all.namespaces, [NS]);
    const everything = await ok(admin, 'cluster_list', { all_namespaces: true });
    assert.deepEqual(everything.namespaces, ['*']);
    await fails(alice, 'cluster_list', { namespace: 'team-b' }, /rule namespace/);
    await fails(alice, 'cluster_list', { namespace: 'Team B' }, /namespace/);
  });

  test('cluster_status concise and detailed; not found', async () => {
    const status = await ok(alice, 'cluster_status', { name: PG });
    assert.equal(status.instances.length, 3);
    assert.equal(status.instances.filter((i: Loose) => i.role === 'primary').length, 1);
    assert.ok(
      status.instances.every((i: Loose) => i.ready),
      'status.instances.every((i: Loose) => i.ready)',
    );
    assert.equal(status.postgresMajor, 17);
    assert.equal(status.storage.size, '1Gi');
    assert.ok(
      status.conditions.some((c: Loose) => c.type === 'Ready' && c.status === 'True'),
      "status.conditions.some((c: Loose) => c.type === 'Ready' && c.status === 'True')",
    );
    assert.equal(status.spec, undefined);
    const detailed = await ok(alice, 'cluster_status', { name: PG, detail: 'detailed' });
    assert.equal(detailed.spec.instances, 3);
    await fails(alice, 'cluster_status', { name: 'nope' }, /cluster: Cluster team-a\/nope not found/);
    await fails(alice, 'cluster_status', { name: PG, detail: 'everything' }, /detail/);
  });
});

interface Case {
  tool: string;
  args: Record<string, unknown>;
  bad: { args: Record<string, unknown>; field: RegExp };
  confirm?: string;
  check(): Promise<void>;
}

const replica = async () => {
  const cluster = await getCluster();
  return (cluster.status.instanceNames as string[]).find((n) => n !== cluster.status.currentPrimary)!;
};

describe('mutating cluster tools: refusals, dry run, success', () => {
  const cases: Case[] = [
    {
      tool: 'cluster_scale',
      args: { instances: 4 },
      bad: { args: { instances: 10 }, field: /instances/ },
      async check() {
        await kube.settle();
        assert.equal((await getCluster()).spec.instances, 4);
        assert.equal((await podNames()).length, 4);
      },
    },
    {
      tool: 'cluster_storage_grow',
      args: { storage_size: '2Gi' },
      bad: { args: { storage_size: '2 GB' }, field: /storage_size/ },
      async check() {
        assert.equal((await getCluster()).spec.storage.size, '2Gi');
        await fails(
          alice,
          'cluster_storage_grow',
          { name: PG, storage_size: '1Gi' },
          /storage_size: 1Gi is smaller than the current 2Gi/,
        );
      },
    },
    {
      tool: 'cluster_set_parameters',
      args: { parameters: { work_mem: '8MB', max_connections: '200' } },
      bad: {
        args: { parameters: { listen_addresses: '*' } },
        field: /parameters: listen_addresses is managed/,
      },
      async check() {
        const params = (await getCluster()).spec.postgresql.parameters;
        assert.equal(params.work_mem, '8MB');
        assert.equal(params.max_connections, '200');
        await ok(alice, 'cluster_set_parameters', { name: PG, parameters: { max_connections: null } });
        assert.equal((await getCluster()).spec.postgresql.parameters.max_connections, undefined);
      },
    },
    {
      tool: 'cluster_image_upgrade',
      args: { image: 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie' },
      bad: { args: { image: 'postgres:latest' }, field: /image/ },
      async check() {
        assert.equal(
          (await getCluster()).spec.imageName,
          'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie',
        );
        await fails(
          alice,
          'cluster_image_upgrade',
          { name: PG, postgres_major: 16 },
          /cannot downgrade PostgreSQL from major 17 to 16/,
        );
        await fails(alice, 'cluster_image_upgrade', { name: PG }, /give exactly one/);
      },
    },
    {
      tool: 'cluster_reload',
      args: {},
      bad: { args: { dry_run: 'yes' }, field: /dry_run/ },
      async check() {
        assert.ok(
          (await getCluster()).metadata.annotations['cnpg.io/reloadedAt'],
          "(await getCluster()).metadata.annotations['cnpg.io/reloadedAt']",
        );
      },
    },
    {
      tool: 'cluster_restart',
      args: {},
      bad: { args: { instance: 'x' }, field: /instance/ },
      async check() {
        assert.ok(
          (await getCluster()).metadata.annotations['kubectl.kubernetes.io/restartedAt'],
          "(await getCluster()).metadata.annotations['kubectl.kubernetes.io/restartedAt']",
        );
        await kube.settle();
        const target = await replica();
        const before = (await core.readNamespacedPod({ namespace: NS, name: target })).metadata!.uid;
        await ok(alice, 'cluster_restart', { name: PG, instance: target });
        await kube.settle();
        const afterUid = (await core.readNamespacedPod({ namespace: NS, name: target })).metadata!.uid;
        assert.notEqual(afterUid, before, 'the replica pod was recreated');
        await fails(
          alice,
          'cluster_restart',
          { name: PG, instance: 'other-1' },
          /not an instance of cluster pg-alice/,
        );
      },
    },
    {
      tool: 'cluster_fence',
      args: { instance: 'pg-alice-2' },
      bad: { args: { instance: 'pg alice' }, field: /instance/ },
      async check() {
        assert.equal((await getCluster()).metadata.annotations['cnpg.io/fencedInstances'], '["pg-alice-2"]');
        const status = await ok(alice, 'cluster_status', { name: PG });
        assert.deepEqual(status.fencedInstances, ['pg-alice-2']);
      },
    },
    {
      tool: 'cluster_unfence',
      args: { instance: 'pg-alice-2' },
      bad: { args: { instance: '' }, field: /instance/ },
      async check() {
        assert.equal((await getCluster()).metadata.annotations?.['cnpg.io/fencedInstances'], undefined);
      },
    },
    {
      tool: 'cluster_switchover',
      args: {},
      bad: { args: { target_instance: 'PG-1' }, field: /target_instance/ },
      async check() {
        await kube.settle();
        const cluster = await getCluster();
        assert.equal(cluster.status.currentPrimary, cluster.status.targetPrimary);
        const switched = auditLines().findLast(
          (l) => l.tool === 'cluster_switchover' && l.outcome === 'success',
        );
        assert.ok(switched, 'switched');
        const primaryBefore = cluster.status.currentPrimary;
        await fails(
          alice,
          'cluster_switchover',
          { name: PG, target_instance: primaryBefore },
          /already the primary/,
        );
      },
    },
    {
      tool: 'cluster_maintenance',
      args: { in_progress: true },
      bad: { args: { in_progress: 'yes' }, field: /in_progress/ },
      async check() {
        assert.deepEqual((await getCluster()).spec.nodeMaintenanceWindow, {
          inProgress: true,
          reusePVC: true,
        });
        await ok(alice, 'cluster_maintenance', { name: PG, in_progress: false });
      },
    },
    {
      tool: 'cluster_instance_destroy',
      args: { instance: 'pg-alice-4' },
      confirm: 'pg-alice-4',
      bad: { args: { instance: 'pg-alice-4', confirm: 'pg-alice-4', keep_pvc: 'no' }, field: /keep_pvc/ },
      async check() {
        const primary = (await getCluster()).status.currentPrimary;
        await fails(
          alice,
          'cluster_instance_destroy',
          { name: PG, instance: primary, confirm: primary },
          /is the primary; switch over first/,
        );
      },
    },
    {
      tool: 'cluster_hibernate',
      args: {},
      confirm: PG,
      bad: { args: { confirm: PG, dry_run: 'no' }, field: /dry_run/ },
      async check() {
        assert.equal((await getCluster()).metadata.annotations['cnpg.io/hibernation'], 'on');
        await kube.settle();
        assert.equal((await podNames()).length, 0, 'hibernated: no pods, volumes kept');
        assert.ok((await pvcNames()).length > 0, '(await pvcNames()).length > 0');
      },
    },
    {
      tool: 'cluster_resume',
      args: {},
      bad: { args: { name: 'x'.repeat(51) }, field: /name/ },
      async check() {
        assert.equal((await getCluster()).metadata.annotations['cnpg.io/hibernation'], 'off');
        await kube.settle();
        assert.ok((await podNames()).length > 0, '(await podNames()).length > 0');
      },
    },
    {
      tool: 'cluster_delete',
      args: {},
      confirm: PG,
      bad: { args: { confirm: '' }, field: /confirm/ },
      async check() {
        await kube.settle();
        assert.equal(await getCluster(), undefined);
        assert.deepEqual(await podNames(), []);
      },
    },
  ];

  for (const c of cases) {
    test(c.tool, async () => {
      const withConfirm = (args: Record<string, unknown>) => ({
        name: PG,
        ...(c.confirm ? { confirm: c.confirm } : {}),
        ...args,
      });

      const before = await snapshot();
      const badArgs = { name: PG, ...(c.confirm ? { confirm: c.confirm } : {}), ...c.bad.args };
      const badText = await fails(alice, c.tool, badArgs, c.bad.field);
      assert.match(badText, /nothing was written|Invalid/);
      assert.equal(await snapshot(), before, 'bad input wrote nothing');

      if (c.confirm) {
        await fails(
          alice,
          c.tool,
          { ...withConfirm(c.args), confirm: 'wrong' },
          /confirmation required: set confirm to the .* "/,
        );
        assert.equal(await snapshot(), before, 'missing confirmation wrote nothing');
      }

      await fails(
        alice,
        c.tool,
        { ...withConfirm(c.args), name: 'nope', ...(c.confirm === PG ? { confirm: 'nope' } : {}) },
        /not found/,
      );
      await fails(
        bob,
        c.tool,
        withConfirm(c.args),
        /Denied by policy \(rule ownership\).*created by devstack-alice-/,
      );
      await fails(
        alice,
        c.tool,
        { ...withConfirm(c.args), namespace: 'team-b' },
        /Denied by policy \(rule namespace\)/,
      );
      assert.equal(await snapshot(), before, 'refusals wrote nothing');

      const dry = await ok(alice, c.tool, { ...withConfirm(c.args), dry_run: true });
      assert.equal(dry.dryRun, true);
      assert.match(dry.message, /^Dry run/);
      assert.equal(await snapshot(), before, 'dry run wrote nothing');

      const done = await ok(alice, c.tool, withConfirm(c.args));
      assert.equal(done.dryRun, false);
      assert.equal(done.name, PG);
      await c.check();

      const lines = auditLines().filter((l) => l.tool === c.tool);
      for (const outcome of ['invalid_input', 'denied', 'error', 'success']) {
        assert.ok(
          lines.some((l) => l.outcome === outcome),
          `${c.tool}: audit line with outcome ${outcome}`,
        );
      }
      assert.ok(
        lines.some((l) => l.dryRun),
        `${c.tool}: audit line for the dry run`,
      );
    });
  }

  test('an admin may change a cluster someone else created', async () => {
    await ok(admin, 'cluster_reload', { name: 'pg-second' });
    await ok(admin, 'cluster_delete', { name: 'pg-second', confirm: 'pg-second' });
  });
});
