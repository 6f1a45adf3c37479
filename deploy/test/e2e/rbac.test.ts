/**
 * The RBAC that ships is exactly enough: the namespaced overlay's rules are loaded into the
 * Kubernetes emulator for the remote API's service account; the remote API runs as that account
 * with the overlay's ConfigMap, pod environment and policy; a real MCP client with a real token
 * from the local OpenID provider calls every tool. Every tool works, every permission granted is
 * used by some tool, and requests outside the rules are refused by the emulator.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { catalog } from '../../../packages/catalog/src/index.js';
import { type KubeEmulator, renderKubeconfig } from '../../../packages/devstack/src/index.js';
import { type LocalStack, type StackApi, startLocalStack } from '../../../packages/devstack/src/stack.js';
import { freePort } from '../../../packages/remote-api/test/support/url-only.js';
import {
  bindGroup,
  grantedTriples,
  type KubeRequest,
  rbacPolicyFrom,
  serviceAccountUser,
  startRecordingProxy,
  tripleOf,
} from '../support/kube-rbac.js';
import { type K8sObject, kustomizeDir, podEnvFor, renderOverlay } from '../support/render.js';

const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const SA = { namespace: 'cnpg-mcp', name: 'cnpg-mcp' };
const OUTSIDE = 'elsewhere';
/** The quota ledger's Role, checked by quota-ledger-rbac.test.ts; the tools' rules are the others. */
const LEDGER_ROLE = 'cnpg-mcp-quota-ledger';

type Structured = Record<string, unknown>;
type ToolResult = CallToolResult & { structuredContent?: Structured };

const textOf = (r: ToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** An image catalog of `kind` with one image of `major`, published by a cluster administrator. */
async function publishCatalog(
  admin: CustomObjectsApi,
  kind: 'ImageCatalog' | 'ClusterImageCatalog',
  major: number,
  namespace?: string,
): Promise<void> {
  const body = {
    apiVersion: `${CNPG.group}/${CNPG.version}`,
    kind,
    metadata: { name: 'postgresql' },
    spec: { images: [{ major, image: `ghcr.io/cloudnative-pg/postgresql:${major}-system-trixie` }] },
  };
  if (kind === 'ClusterImageCatalog') {
    await admin.createClusterCustomObject({ ...CNPG, plural: 'clusterimagecatalogs', body });
  } else {
    await admin.createNamespacedCustomObject({
      ...CNPG,
      namespace: namespace!,
      plural: 'imagecatalogs',
      body,
    });
  }
}

const specOf = (out: Structured) => (out.object as { spec: Record<string, unknown> }).spec;

interface Started {
  api: StackApi;
  client: Client;
}

/**
 * The remote API with the overlay's pod environment, as the given Kubernetes identity. What
 * differs is what differs on any real install: the provider, the Kubernetes API, and the address
 * people reach it at. PUBLIC_URL names that address (here a loopback port, where a cluster has
 * https://cnpg-mcp.example.com behind its Ingress), so the Host check holds to it as it does
 * there; and since several APIs share this process, each serves /metrics on a port of its own.
 */
async function startApiAs(
  stack: LocalStack,
  kubeconfigPath: string,
  env: Record<string, string>,
  username: string,
): Promise<Started> {
  const port = await freePort();
  const api = await stack.startApi({
    env: {
      ...env,
      OIDC_ISSUER: stack.issuer,
      OIDC_AUDIENCE: stack.audience,
      KUBECONFIG: kubeconfigPath,
      // The policy the ConfigMap ships (mounted at /etc/cnpg-mcp in the pod).
      POLICY_FILE: join(kustomizeDir, 'base/policy.json'),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      METRICS_PORT: '0',
      WAIT_POLL_MS: '50',
    },
  });
  const token = await stack.tokenFor(username);
  const client = new Client({ name: 'deploy-rbac-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(api.mcpUrl, {
      // Every toolset: this test calls every tool.
      requestInit: { headers: { Authorization: `Bearer ${token}`, 'X-MCP-Toolsets': 'all' } },
    }),
  );
  return { api, client };
}

/**
 * The local stack with the rendered RBAC in the emulator, and a recording proxy in front of it; the
 * remote API's own namespace (its quota ledger's) exists besides the given ones.
 */
async function startWorld(objects: K8sObject[], namespaces: string[]) {
  const own = podEnvFor(objects).POD_NAMESPACE!;
  const stack = await startLocalStack({
    kube: { namespaces: [...namespaces, own], stepDelayMs: 1 },
    remoteApi: false,
  });
  const { kube } = stack;
  kube.setRbac(rbacPolicyFrom(objects));
  const proxy = await startRecordingProxy(kube.url);
  const saKubeconfig = join(mkdtempSync(join(tmpdir(), 'cnpg-rbac-')), 'kubeconfig');
  writeFileSync(
    saKubeconfig,
    renderKubeconfig({ server: proxy.url, token: kube.addUser(serviceAccountUser(SA)) }),
  );
  return {
    stack,
    kube,
    proxy,
    saKubeconfig,
    async close() {
      await proxy.close();
      await stack.close();
    },
  };
}

describe('the namespaced overlay RBAC, run for real against the emulator', () => {
  const objects = renderOverlay('namespaced');
  const env = podEnvFor(objects);
  const namespace = env.DEFAULT_NAMESPACE!;
  // The tools' rules: the namespaced Role and the cluster-scoped read of ClusterImageCatalogs.
  const toolRoles = objects.filter(
    (o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.metadata.name !== LEDGER_ROLE,
  );
  let stack: LocalStack;
  let kube: KubeEmulator;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let saKubeconfig: string;
  let started: Started;
  let admin: { custom: CustomObjectsApi; core: CoreV1Api };
  const called = new Set<string>();

  let world: Awaited<ReturnType<typeof startWorld>>;

  before(async () => {
    world = await startWorld(objects, [namespace, OUTSIDE]);
    ({ stack, kube, proxy, saKubeconfig } = world);
    started = await startApiAs(stack, saKubeconfig, env, 'admin');
    admin = stack.admin;
  });

  after(async () => {
    await started?.client.close();
    await started?.api.close();
    await world?.close();
  });

  async function tool(name: string, args: Record<string, unknown> = {}): Promise<Structured> {
    called.add(name);
    const result = (await started.client.callTool({ name, arguments: args })) as ToolResult;
    assert.ok(!result.isError, `${name} ${JSON.stringify(args)} failed: ${textOf(result)}`);
    await kube.settle();
    return result.structuredContent ?? {};
  }

  /** Plays an administrator's part (what the tools deliberately do not configure). */
  const adminPatchCluster = (name: string, body: Record<string, unknown>) =>
    admin.custom.patchNamespacedCustomObject(
      { ...CNPG, namespace, plural: 'clusters', name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

  const instances = async (name: string) => {
    const status = await tool('cluster_status', { name });
    return status.instances as { name: string; role: string }[];
  };

  test('every tool works as the service account with exactly the shipped rules', async () => {
    await tool('whoami');
    await tool('cluster_create', {
      name: 'pg',
      instances: 3,
      storage_size: '1Gi',
      enable_pod_monitor: true,
      wait: true,
      wait_timeout_seconds: 60,
    });
    await tool('cluster_list');
    await tool('cluster_list', { all_namespaces: true });
    await tool('cluster_status', { name: 'pg', detail: 'detailed' });
    await tool('cluster_pods', { name: 'pg' });
    await tool('cluster_events', { name: 'pg' });
    await tool('cluster_logs', { name: 'pg', tail: 5 });
    await tool('cluster_connection_info', { name: 'pg' });
    await tool('credential_reveal', { cluster: 'pg' });

    await tool('cluster_scale', { name: 'pg', instances: 3, dry_run: true });
    await tool('cluster_storage_grow', { name: 'pg', storage_size: '2Gi' });
    // The guided shrink back to 1Gi, one step per call, until no shrink is in progress.
    for (let step = 0; step < 15; step++) {
      await tool('cluster_storage_shrink', { name: 'pg', storage_size: '1Gi', confirm: 'pg' });
      if ((await tool('cluster_storage_shrink_status', { name: 'pg' })).step === 'start') break;
    }
    assert.equal(
      (await tool('cluster_storage_shrink_status', { name: 'pg' })).step,
      'start',
      'the shrink finished',
    );
    await tool('cluster_set_parameters', { name: 'pg', parameters: { work_mem: '8MB' } });
    const { postgresMajor } = await tool('cluster_status', { name: 'pg' });
    await tool('cluster_image_upgrade', { name: 'pg', postgres_major: postgresMajor, dry_run: true });
    // Image catalogs an administrator published: a call that names one reads it first (get).
    await publishCatalog(admin.custom, 'ImageCatalog', Number(postgresMajor), namespace);
    await publishCatalog(admin.custom, 'ClusterImageCatalog', Number(postgresMajor));
    const fromCatalog = await tool('cluster_create', {
      name: 'pg-catalog',
      storage_size: '1Gi',
      image_catalog: { kind: 'ImageCatalog', name: 'postgresql', major: postgresMajor },
      dry_run: true,
    });
    assert.equal((specOf(fromCatalog).imageCatalogRef as { kind: string }).kind, 'ImageCatalog');
    const toClusterCatalog = await tool('cluster_image_upgrade', {
      name: 'pg',
      image_catalog: { kind: 'ClusterImageCatalog', name: 'postgresql', major: postgresMajor },
      dry_run: true,
    });
    assert.equal((specOf(toClusterCatalog).imageCatalogRef as { kind: string }).kind, 'ClusterImageCatalog');
    await tool('cluster_reload', { name: 'pg' });
    await tool('cluster_restart', { name: 'pg' });
    const replica = (await instances('pg')).find((i) => i.role === 'replica')!.name;
    await tool('cluster_restart', { name: 'pg', instance: replica });
    await tool('cluster_fence', { name: 'pg', instance: replica });
    await tool('cluster_unfence', { name: 'pg', instance: replica });
    await tool('cluster_switchover', { name: 'pg', target_instance: replica });
    await tool('cluster_maintenance', { name: 'pg', in_progress: true, reuse_pvc: true });
    await tool('cluster_maintenance', { name: 'pg', in_progress: false });
    const another = (await instances('pg')).find((i) => i.role === 'replica')!.name;
    await tool('cluster_instance_destroy', { name: 'pg', instance: another, confirm: another });
    await tool('cluster_hibernate', { name: 'pg', confirm: 'pg' });
    await tool('cluster_resume', { name: 'pg' });

    await tool('role_create', { cluster: 'pg', name: 'reporting', login: true });
    await tool('role_list', { cluster: 'pg' });
    await tool('role_get', { cluster: 'pg', name: 'reporting' });
    await tool('role_update', { cluster: 'pg', name: 'reporting', comment: 'reports' });
    await tool('role_rotate_password', { cluster: 'pg', name: 'reporting' });

    await tool('database_create', { cluster: 'pg', name: 'sales', owner: 'reporting' });
    await tool('database_list', { cluster: 'pg' });
    await tool('database_get', { cluster: 'pg', name: 'sales' });
    await tool('database_update', { cluster: 'pg', name: 'sales', connection_limit: 20 });

    await tool('publication_create', {
      cluster: 'pg',
      name: 'sales_pub',
      database: 'sales',
      all_tables: true,
    });
    await tool('publication_list', { cluster: 'pg' });
    await tool('publication_delete', { cluster: 'pg', name: 'sales_pub', confirm: 'sales_pub' });
    await adminPatchCluster('pg', {
      spec: {
        externalClusters: [
          { name: 'upstream', connectionParameters: { host: 'upstream-rw', dbname: 'sales' } },
        ],
      },
    });
    await tool('subscription_create', {
      cluster: 'pg',
      name: 'sales_sub',
      database: 'sales',
      publication: 'sales_pub',
      external_cluster: 'upstream',
    });
    await tool('subscription_list', { cluster: 'pg' });
    await tool('subscription_delete', { cluster: 'pg', name: 'sales_sub', confirm: 'sales_sub' });

    // A Barman Cloud ObjectStore an administrator made: choosing it reads it by name (get). A dry
    // run: pg archives to an in-tree store below, and CloudNativePG allows one WAL archiver.
    await admin.custom.createNamespacedCustomObject({
      group: 'barmancloud.cnpg.io',
      version: 'v1',
      namespace,
      plural: 'objectstores',
      body: {
        apiVersion: 'barmancloud.cnpg.io/v1',
        kind: 'ObjectStore',
        metadata: { name: 'shared-store' },
        spec: { configuration: { destinationPath: 's3://shared-store/' } },
      },
    });
    await tool('backup_destination_set', { cluster: 'pg', object_store: 'shared-store', dry_run: true });
    await tool('backup_destination_get', { cluster: 'pg' });
    // What the Barman Cloud plugin records after a base backup of pg into the store (playing its part).
    const backedUp = new Date(Date.now() - 3_600_000).toISOString();
    await admin.custom.patchNamespacedCustomObjectStatus(
      {
        group: 'barmancloud.cnpg.io',
        version: 'v1',
        namespace,
        plural: 'objectstores',
        name: 'shared-store',
        body: {
          status: {
            serverRecoveryWindow: {
              pg: { firstRecoverabilityPoint: backedUp, lastSuccessfulBackupTime: backedUp },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await tool('backup_restore_from_store', {
      name: 'pg-from-store',
      object_store: 'shared-store',
      server_name: 'pg',
      storage_size: '1Gi',
      postgres_major: postgresMajor,
      dry_run: true,
    });
    await adminPatchCluster('pg', {
      spec: {
        backup: {
          barmanObjectStore: {
            destinationPath: 's3://backups/pg',
            s3Credentials: {
              accessKeyId: { name: 'backup-creds', key: 'ACCESS_KEY_ID' },
              secretAccessKey: { name: 'backup-creds', key: 'ACCESS_SECRET_KEY' },
            },
          },
        },
      },
    });
    await tool('backup_create', { cluster: 'pg', name: 'pg-backup-1' });
    await tool('backup_wait', { name: 'pg-backup-1', timeout_seconds: 30 });
    await tool('backup_list', { cluster: 'pg' });
    await tool('backup_get', { name: 'pg-backup-1', detail: 'detailed' });
    await tool('scheduled_backup_create', { cluster: 'pg', name: 'pg-nightly', schedule: '0 0 2 * * *' });
    await tool('scheduled_backup_list', { cluster: 'pg' });
    await tool('scheduled_backup_suspend', { name: 'pg-nightly' });
    await tool('scheduled_backup_resume', { name: 'pg-nightly' });
    await tool('scheduled_backup_delete', { name: 'pg-nightly', confirm: 'pg-nightly' });
    await tool('backup_restore', {
      name: 'pg-restored',
      backup: 'pg-backup-1',
      instances: 2,
      wait: true,
      wait_timeout_seconds: 60,
    });
    await tool('backup_delete', { name: 'pg-backup-1', confirm: 'pg-backup-1' });

    await tool('pooler_create', { name: 'pg-pooler', cluster: 'pg', instances: 1 });
    await tool('pooler_list', { cluster: 'pg' });
    await tool('pooler_get', { name: 'pg-pooler' });
    await tool('pooler_update', { name: 'pg-pooler', pool_mode: 'transaction' });
    await tool('pooler_scale', { name: 'pg-pooler', instances: 2 });
    await tool('pooler_delete', { name: 'pg-pooler', confirm: 'pg-pooler' });

    await tool('database_delete', { cluster: 'pg', name: 'sales', confirm: 'sales' });
    await tool('role_delete', { cluster: 'pg', name: 'reporting', confirm: 'reporting' });
    // kubectl cnpg destroy --keep-pvc: a replica of the restored cluster with a Job left over (as
    // CloudNativePG labels it; the operator paused so it stays) loses its Job and keeps its volume,
    // detached from the cluster.
    await adminPatchCluster('pg-restored', {
      metadata: { annotations: { 'cnpg.io/reconciliationLoop': 'disabled' } },
    });
    const replicaPod = await admin.core.readNamespacedPod({ namespace, name: 'pg-restored-2' });
    await admin.custom.createNamespacedCustomObject({
      group: 'batch',
      version: 'v1',
      plural: 'jobs',
      namespace,
      body: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'pg-restored-2-join',
          labels: { ...replicaPod.metadata?.labels, 'cnpg.io/jobRole': 'join' },
        },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'join', image: 'postgres' }] } },
        },
      },
    });
    const destroyed = await tool('cluster_instance_destroy', {
      name: 'pg-restored',
      instance: 'pg-restored-2',
      keep_pvc: true,
      confirm: 'pg-restored-2',
    });
    assert.deepEqual(destroyed.detached, ['pg-restored-2']);
    assert.deepEqual(destroyed.deleted, ['pod/pg-restored-2', 'job/pg-restored-2-join']);
    await tool('cluster_delete', { name: 'pg-restored', confirm: 'pg-restored' });
    await tool('cluster_delete', { name: 'pg', confirm: 'pg' });

    assert.deepEqual(
      catalog.map((t) => t.name).filter((name) => !called.has(name)),
      [],
      'every tool in the catalogue was called',
    );
    const refused = proxy.requests.filter((r) => r.status === 401 || r.status === 403);
    assert.deepEqual(refused, [], 'no request was refused by RBAC');
    assert.ok(
      proxy.requests.every(
        (r) =>
          r.namespace === namespace || (r.namespace === undefined && r.resource === 'clusterimagecatalogs'),
      ),
      'every request stayed in the target namespace, but for reading cluster-scoped image catalogs',
    );
  });

  test('every permission granted is used by some tool, and every use is granted (exactly enough)', () => {
    const used = new Set(proxy.requests.map(tripleOf));
    const granted = grantedTriples(toolRoles.flatMap((r) => r.rules ?? []));
    assert.deepEqual([...granted].filter((t) => !used.has(t)).sort(), [], 'granted but never used');
    assert.deepEqual([...used].filter((t) => !granted.has(t)).sort(), [], 'used but not granted');
  });

  test('requests outside the rules are refused by the emulator', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    const status = (promise: Promise<unknown>) =>
      promise.then(
        () => 200,
        (error: { code?: number }) => error.code,
      );
    // Another namespace, cluster scope, a resource and a verb the Role does not name.
    assert.equal(
      await status(custom.listNamespacedCustomObject({ ...CNPG, namespace: OUTSIDE, plural: 'clusters' })),
      403,
    );
    assert.equal(await status(custom.listClusterCustomObject({ ...CNPG, plural: 'clusters' })), 403);
    assert.equal(await status(core.listNamespacedConfigMap({ namespace })), 403);
    assert.equal(await status(core.listNamespacedSecret({ namespace })), 403);
    assert.equal(await status(core.listNamespace()), 403);
    // ObjectStores are read by name only.
    assert.equal(
      await status(
        custom.listNamespacedCustomObject({
          group: 'barmancloud.cnpg.io',
          version: 'v1',
          namespace,
          plural: 'objectstores',
        }),
      ),
      403,
    );
    // Image catalogs are read by name only: neither kind can be listed, nor a ClusterImageCatalog made.
    assert.equal(
      await status(custom.listNamespacedCustomObject({ ...CNPG, namespace, plural: 'imagecatalogs' })),
      403,
    );
    assert.equal(
      await status(custom.listClusterCustomObject({ ...CNPG, plural: 'clusterimagecatalogs' })),
      403,
    );
    assert.equal(
      await status(
        custom.createClusterCustomObject({
          ...CNPG,
          plural: 'clusterimagecatalogs',
          body: {
            apiVersion: `${CNPG.group}/${CNPG.version}`,
            kind: 'ClusterImageCatalog',
            metadata: { name: 'sneaky' },
            spec: { images: [{ major: 17, image: 'registry.example.com/evil:17' }] },
          },
        }),
      ),
      403,
    );

    // Widening the remote API's own configuration does not widen what Kubernetes lets it do.
    const widened = await startApiAs(stack, saKubeconfig, { ...env, ALLOWED_NAMESPACES: '*' }, 'admin');
    try {
      const result = (await widened.client.callTool({
        name: 'cluster_list',
        arguments: { all_namespaces: true },
      })) as ToolResult;
      assert.equal(result.isError, true);
      assert.match(textOf(result), /forbidden \(HTTP 403\)/i);
      const inOther = (await widened.client.callTool({
        name: 'cluster_create',
        arguments: { namespace: OUTSIDE, name: 'sneaky', storage_size: '1Gi' },
      })) as ToolResult;
      assert.equal(inOther.isError, true);
      assert.match(textOf(inOther), /forbidden/i);
      const clusters = (await admin.custom.listNamespacedCustomObject({
        ...CNPG,
        namespace: OUTSIDE,
        plural: 'clusters',
      })) as {
        items: unknown[];
      };
      assert.equal(clusters.items.length, 0, 'nothing was created outside the target namespace');
    } finally {
      await widened.client.close();
      await widened.api.close();
    }
    const last: KubeRequest | undefined = proxy.requests.at(-1);
    assert.equal(last?.status, 403);
  });
});

describe('the impersonation overlay: Kubernetes RBAC decides per person', () => {
  // The local provider puts alice and bob in "developers".
  const objects = bindGroup(renderOverlay('impersonation'), 'developers');
  const env = podEnvFor(objects);
  const namespace = env.DEFAULT_NAMESPACE!;
  let stack: LocalStack;
  let kube: KubeEmulator;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let saKubeconfig: string;

  let world: Awaited<ReturnType<typeof startWorld>>;

  before(async () => {
    world = await startWorld(objects, [namespace]);
    ({ stack, kube, proxy, saKubeconfig } = world);
  });
  after(async () => world?.close());

  test('a person in the bound group works through the tools; every request is made as that person', async () => {
    const alice = await startApiAs(stack, saKubeconfig, env, 'alice');
    try {
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const result = (await alice.client.callTool({ name, arguments: args })) as ToolResult;
        assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
        await kube.settle();
        return result.structuredContent ?? {};
      };
      const me = await call('whoami');
      await publishCatalog(stack.admin.custom, 'ImageCatalog', 17, namespace);
      await publishCatalog(stack.admin.custom, 'ClusterImageCatalog', 17);
      await call('cluster_create', {
        name: 'alice-pg',
        instances: 1,
        storage_size: '1Gi',
        image_catalog: { kind: 'ClusterImageCatalog', name: 'postgresql', major: 17 },
        wait: true,
        wait_timeout_seconds: 60,
      });
      await call('cluster_create', {
        name: 'alice-other',
        storage_size: '1Gi',
        image_catalog: { kind: 'ImageCatalog', name: 'postgresql', major: 17 },
        dry_run: true,
      });
      await call('cluster_status', { name: 'alice-pg' });
      await call('cluster_delete', { name: 'alice-pg', confirm: 'alice-pg' });
      // The quota ledger is the service account's own bookkeeping, in its own namespace, never
      // the person's (quota-ledger-rbac.test.ts checks its rules); everything else is the person.
      const ledger = proxy.requests.filter((r) => r.resource === 'configmaps');
      const asAlice = proxy.requests.filter((r) => r.resource !== 'configmaps');
      assert.ok(asAlice.length > 0, 'asAlice.length > 0');
      assert.deepEqual(
        asAlice.filter((r) => r.impersonating !== me.userId || r.status === 401 || r.status === 403),
        [],
        'every Kubernetes request for the tools impersonated alice and was allowed',
      );
      for (const resource of ['imagecatalogs', 'clusterimagecatalogs']) {
        assert.ok(
          asAlice.some((r) => r.resource === resource && r.verb === 'get'),
          `alice read the ${resource} she named`,
        );
      }
      assert.ok(
        ledger.every((r) => r.impersonating === undefined && r.namespace === env.POD_NAMESPACE),
        'the ledger is read and written as the service account in its own namespace',
      );
    } finally {
      await alice.client.close();
      await alice.api.close();
    }
  });

  test('a person outside the bound group is refused by Kubernetes, even a cnpg-mcp admin', async () => {
    const admin = await startApiAs(stack, saKubeconfig, env, 'admin');
    try {
      // admin's token carries the group cnpg-admins, which the service account may not impersonate.
      const result = (await admin.client.callTool({ name: 'cluster_list', arguments: {} })) as ToolResult;
      assert.equal(result.isError, true);
      assert.match(
        textOf(result),
        /forbidden \(HTTP 403\): groups "cnpg-admins" is forbidden: .*cannot impersonate/s,
      );
      assert.equal(proxy.requests.at(-1)?.status, 403);
    } finally {
      await admin.client.close();
      await admin.api.close();
    }
  });

  test('the service account itself may only impersonate', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const error = await kc
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ ...CNPG, namespace, plural: 'clusters' })
      .then(
        () => undefined,
        (e: { code?: number }) => e,
      );
    assert.equal(error?.code, 403);
  });
});

describe('the cluster-wide overlay: one ClusterRole, every namespace', () => {
  const objects = renderOverlay('cluster-wide');
  const env = podEnvFor(objects);
  let world: Awaited<ReturnType<typeof startWorld>>;
  before(async () => {
    world = await startWorld(objects, [env.DEFAULT_NAMESPACE!, OUTSIDE]);
  });
  after(async () => world?.close());

  test('clusters are listed cluster-wide and created in any namespace; other resources stay refused', async () => {
    const started = await startApiAs(world.stack, world.saKubeconfig, env, 'admin');
    try {
      const call = async (name: string, args: Record<string, unknown>) => {
        const result = (await started.client.callTool({ name, arguments: args })) as ToolResult;
        assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
        await world.kube.settle();
        return result.structuredContent ?? {};
      };
      await call('cluster_create', {
        namespace: OUTSIDE,
        name: 'far',
        storage_size: '1Gi',
        wait: true,
        wait_timeout_seconds: 60,
      });
      await publishCatalog(world.stack.admin.custom, 'ImageCatalog', 17, OUTSIDE);
      await publishCatalog(world.stack.admin.custom, 'ClusterImageCatalog', 17);
      for (const kind of ['ImageCatalog', 'ClusterImageCatalog']) {
        await call('cluster_create', {
          namespace: OUTSIDE,
          name: 'far-catalog',
          storage_size: '1Gi',
          image_catalog: { kind, name: 'postgresql', major: 17 },
          dry_run: true,
        });
      }
      for (const resource of ['imagecatalogs', 'clusterimagecatalogs']) {
        assert.ok(
          world.proxy.requests.some((r) => r.resource === resource && r.verb === 'get'),
          "world.proxy.requests.some((r) => r.resource === resource && r.verb === 'get')",
        );
      }
      const listed = await call('cluster_list', { all_namespaces: true });
      assert.deepEqual(
        (listed.clusters as { namespace: string; name: string }[]).map((c) => `${c.namespace}/${c.name}`),
        [`${OUTSIDE}/far`],
      );
      await call('cluster_delete', { namespace: OUTSIDE, name: 'far', confirm: 'far' });
      assert.ok(
        world.proxy.requests.some((r) => r.verb === 'list' && r.namespace === undefined && r.status === 200),
        "world.proxy.requests.some((r) => r.verb === 'list' && r.namespace === undefined && r.st…",
      );
      assert.deepEqual(
        world.proxy.requests.filter((r) => r.status === 401 || r.status === 403),
        [],
        'no request was refused by RBAC',
      );
    } finally {
      await started.client.close();
      await started.api.close();
    }
    const kc = new KubeConfig();
    kc.loadFromFile(world.saKubeconfig);
    const denied = await kc
      .makeApiClient(CoreV1Api)
      .listConfigMapForAllNamespaces()
      .then(
        () => 200,
        (e: { code?: number }) => e.code,
      );
    assert.equal(denied, 403);
  });
});
