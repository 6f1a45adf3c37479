import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { clusterManifest, cnpg, expectStatus, openTarget, type Target } from '../support/kube-support.js';

type Obj = Awaited<ReturnType<ReturnType<typeof cnpg>['get']>>;

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let i = 0;
  for (const item of haystack) if (item === needle[i]) i += 1;
  return i === needle.length;
}

describe('CNPG reconciler conformance: Cluster', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  const healthy = (name: string, instances?: number) =>
    t.eventually(async () => {
      const c = await cnpg(t, 'clusters').get(name);
      const s = c.status ?? {};
      return s.phase === 'Cluster in healthy state' &&
        (instances === undefined || s.readyInstances === instances)
        ? c
        : undefined;
    });

  const instancePods = async (name: string) =>
    (
      await t.core.listNamespacedPod({
        namespace: t.namespace,
        labelSelector: `cnpg.io/cluster=${name},cnpg.io/podRole=instance`,
      })
    ).items.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));

  test('a new cluster goes through the CNPG status timeline and creates its objects', async () => {
    const phases: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/postgresql.cnpg.io/v1/namespaces/${t.namespace}/clusters`,
      { fieldSelector: 'metadata.name=pg-main' },
      (_type, obj: Obj) => {
        const phase = obj.status?.phase as string | undefined;
        if (phase && phases.at(-1) !== phase) phases.push(phase);
      },
      () => undefined,
    );
    const created = await cnpg(t, 'clusters').create(clusterManifest('pg-main', { instances: 3 }));
    const cluster = await healthy('pg-main', 3);
    req.abort();
    assert.ok(
      isSubsequence(['Setting up primary', 'Creating a new replica', 'Cluster in healthy state'], phases),
      phases.join(' → '),
    );
    const s = cluster.status ?? {};
    assert.equal(s.instances, 3);
    assert.equal(s.currentPrimary, 'pg-main-1');
    assert.equal(s.targetPrimary, 'pg-main-1');
    assert.deepEqual(s.instanceNames, ['pg-main-1', 'pg-main-2', 'pg-main-3']);
    assert.equal(s.writeService, 'pg-main-rw');
    assert.equal(s.readService, 'pg-main-r');
    assert.equal(s.phaseReason ?? '', '');
    const conditions = s.conditions as { type: string; status: string; reason: string }[];
    assert.deepEqual(
      conditions.find((c) => c.type === 'Ready'),
      { ...conditions.find((c) => c.type === 'Ready'), status: 'True', reason: 'ClusterIsReady' },
    );

    const app = await t.core.readNamespacedSecret({ name: 'pg-main-app', namespace: t.namespace });
    assert.equal(app.type, 'kubernetes.io/basic-auth');
    for (const key of ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass']) {
      assert.ok(app.data?.[key], `pg-main-app has ${key}`);
    }
    const decoded = (k: string) => Buffer.from(app.data?.[k] ?? '', 'base64').toString('utf8');
    assert.equal(decoded('username'), 'app');
    assert.equal(decoded('host'), 'pg-main-rw');
    assert.equal(decoded('dbname'), 'app');
    assert.match(decoded('uri'), new RegExp(`^postgresql://app:.+@pg-main-rw\\.${t.namespace}:5432/app$`));
    for (const name of ['pg-main-ca', 'pg-main-server', 'pg-main-replication']) {
      assert.ok(
        await t.core.readNamespacedSecret({ name, namespace: t.namespace }),
        'await t.core.readNamespacedSecret({ name, namespace: t.namespace })',
      );
    }
    await expectStatus(
      t.core.readNamespacedSecret({ name: 'pg-main-superuser', namespace: t.namespace }),
      404,
    );

    const rw = await t.core.readNamespacedService({ name: 'pg-main-rw', namespace: t.namespace });
    assert.deepEqual(rw.spec?.selector, { 'cnpg.io/cluster': 'pg-main', 'cnpg.io/instanceRole': 'primary' });
    const ro = await t.core.readNamespacedService({ name: 'pg-main-ro', namespace: t.namespace });
    assert.deepEqual(ro.spec?.selector, { 'cnpg.io/cluster': 'pg-main', 'cnpg.io/instanceRole': 'replica' });
    const r = await t.core.readNamespacedService({ name: 'pg-main-r', namespace: t.namespace });
    assert.deepEqual(r.spec?.selector, { 'cnpg.io/cluster': 'pg-main', 'cnpg.io/podRole': 'instance' });

    const pods = await instancePods('pg-main');
    assert.deepEqual(
      pods.map((p) => p.metadata?.labels?.['cnpg.io/instanceRole']),
      ['primary', 'replica', 'replica'],
    );
    assert.deepEqual(
      pods.map((p) => p.metadata?.labels?.role),
      ['primary', 'replica', 'replica'],
    );
    for (const pod of pods) {
      assert.equal(pod.status?.phase, 'Running');
      const owner = pod.metadata?.ownerReferences?.[0];
      assert.equal(owner?.kind, 'Cluster');
      assert.equal(owner?.uid, created.metadata.uid);
      assert.equal(owner?.controller, true);
      assert.ok(
        pod.spec?.containers.some((c) => c.name === 'postgres'),
        "pod.spec?.containers.some((c) => c.name === 'postgres')",
      );
    }
    const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-main',
    });
    assert.deepEqual(pvcs.items.map((p) => p.metadata?.name).sort(), ['pg-main-1', 'pg-main-2', 'pg-main-3']);
    assert.equal(pvcs.items[0]?.spec?.resources?.requests?.storage, '1Gi');
    assert.equal(pvcs.items[0]?.metadata?.labels?.['cnpg.io/pvcRole'], 'PG_DATA');
  });

  test('scaling down removes the highest replica; scaling up adds one back', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-scale', { instances: 3 }));
    await healthy('pg-scale', 3);
    await clusters.merge('pg-scale', { spec: { instances: 2 } });
    await healthy('pg-scale', 2);
    assert.deepEqual(
      (await instancePods('pg-scale')).map((p) => p.metadata?.name),
      ['pg-scale-1', 'pg-scale-2'],
    );
    const scale = await t.custom.getNamespacedCustomObjectScale({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      namespace: t.namespace,
      plural: 'clusters',
      name: 'pg-scale',
    });
    assert.equal((scale as { spec: { replicas: number } }).spec.replicas, 2);
    await t.custom.patchNamespacedCustomObjectScale(
      {
        group: 'postgresql.cnpg.io',
        version: 'v1',
        namespace: t.namespace,
        plural: 'clusters',
        name: 'pg-scale',
        body: { spec: { replicas: 3 } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const grown = await healthy('pg-scale', 3);
    assert.deepEqual(grown.status?.instanceNames, ['pg-scale-1', 'pg-scale-2', 'pg-scale-3']);
  });

  test('switchover: patching status.targetPrimary promotes the replica', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-sw', { instances: 2 }));
    const before = await healthy('pg-sw', 2);
    await clusters.mergeStatus('pg-sw', {
      metadata: { resourceVersion: before.metadata.resourceVersion },
      status: {
        targetPrimary: 'pg-sw-2',
        phase: 'Switchover in progress',
        phaseReason: 'Switching over to pg-sw-2',
      },
    });
    const after = await t.eventually(async () => {
      const c = await clusters.get('pg-sw');
      return c.status?.currentPrimary === 'pg-sw-2' && c.status?.phase === 'Cluster in healthy state'
        ? c
        : undefined;
    });
    assert.equal(after.status?.targetPrimary, 'pg-sw-2');
    assert.ok(
      Number(after.status?.timelineID) > Number(before.status?.timelineID),
      'Number(after.status?.timelineID) > Number(before.status?.timelineID)',
    );
    const pods = await instancePods('pg-sw');
    assert.deepEqual(
      pods.map((p) => p.metadata?.labels?.['cnpg.io/instanceRole']),
      ['replica', 'primary'],
    );
    const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-sw,cnpg.io/instanceRole=primary',
    });
    assert.deepEqual(
      pvcs.items.map((p) => p.metadata?.name),
      ['pg-sw-2'],
    );
  });

  test('deleting the primary pod fails over to a replica and brings the old primary back as a replica', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-fo', { instances: 2 }));
    await healthy('pg-fo', 2);
    await t.core.deleteNamespacedPod({ name: 'pg-fo-1', namespace: t.namespace });
    const after = await t.eventually(async () => {
      const c = await clusters.get('pg-fo');
      return c.status?.currentPrimary === 'pg-fo-2' &&
        c.status?.readyInstances === 2 &&
        c.status?.phase === 'Cluster in healthy state'
        ? c
        : undefined;
    });
    assert.equal(after.status?.targetPrimary, 'pg-fo-2');
    const pods = await instancePods('pg-fo');
    assert.deepEqual(
      pods.map((p) => `${p.metadata?.name} ${p.metadata?.labels?.['cnpg.io/instanceRole']}`),
      ['pg-fo-1 replica', 'pg-fo-2 primary'],
    );
  });

  test('a restore from an object store bootstraps through a full-recovery job; an empty store fails it', async () => {
    const plugin = (serverName: string) => ({
      name: 'barman-cloud.cloudnative-pg.io',
      parameters: { barmanObjectName: 'store', serverName },
    });
    const restoring = (name: string, serverName: string) =>
      clusterManifest(name, {
        instances: 1,
        bootstrap: { recovery: { source: 'origin' } },
        externalClusters: [{ name: 'origin', plugin: plugin(serverName) }],
      });
    // Nothing was ever backed up under this server name: restore.go finds no backup, the job fails.
    await cnpg(t, 'clusters').create(restoring('pg-empty-store', 'nobody'));
    const failed = await t.eventually(async () => {
      const c = await cnpg(t, 'clusters').get('pg-empty-store');
      return c.status?.phase === 'Cluster is unrecoverable and needs manual intervention' ? c : undefined;
    });
    assert.match(
      String(failed.status?.phaseReason),
      /^Instance creation failed for the following jobs: pg-empty-store-1-full-recovery\. Check the job logs/,
    );
    const job = await t.kc
      .makeApiClient(k8s.BatchV1Api)
      .readNamespacedJob({ name: 'pg-empty-store-1-full-recovery', namespace: t.namespace });
    assert.ok(
      job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
      "job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')",
    );
    assert.equal((await instancePods('pg-empty-store')).length, 0);

    await cnpg(t, 'clusters').create(
      clusterManifest('pg-origin', { instances: 1, plugins: [plugin('pg-origin')] }),
    );
    await healthy('pg-origin', 1);
    await cnpg(t, 'backups').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name: 'pg-origin-full' },
      spec: {
        cluster: { name: 'pg-origin' },
        method: 'plugin',
        pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      },
    });
    await t.eventually(async () => {
      const b = await cnpg(t, 'backups').get('pg-origin-full');
      return b.status?.phase === 'completed' ? b : undefined;
    });
    const jobs: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/batch/v1/namespaces/${t.namespace}/jobs`,
      { labelSelector: 'cnpg.io/cluster=pg-restored' },
      (type, obj: k8s.V1Job) => {
        if (type === 'ADDED') jobs.push(String(obj.metadata?.name));
      },
      () => undefined,
    );
    await cnpg(t, 'clusters').create(restoring('pg-restored', 'pg-origin'));
    await healthy('pg-restored', 1);
    req.abort();
    assert.deepEqual(jobs, ['pg-restored-1-full-recovery']);
  });

  test('a recovery target time outside the archive’s window fails the full-recovery job', async () => {
    // pg-origin's backup pg-origin-full (previous test) is the only one under server name pg-origin.
    const stopped = Date.parse(String((await cnpg(t, 'backups').get('pg-origin-full')).status?.stoppedAt));
    const restoringTo = (name: string, targetTime: string) =>
      clusterManifest(name, {
        instances: 1,
        bootstrap: { recovery: { source: 'origin', recoveryTarget: { targetTime } } },
        externalClusters: [
          {
            name: 'origin',
            plugin: {
              name: 'barman-cloud.cloudnative-pg.io',
              parameters: { barmanObjectName: 'store', serverName: 'pg-origin' },
            },
          },
        ],
      });
    const unrecoverable = (name: string) =>
      t.eventually(async () => {
        const c = await cnpg(t, 'clusters').get(name);
        return c.status?.phase === 'Cluster is unrecoverable and needs manual intervention' ? c : undefined;
      });
    // No backup ended before the target: barman-cloud-restore finds no backup to start from.
    await cnpg(t, 'clusters').create(
      restoringTo('pg-too-early', new Date(stopped - 3_600_000).toISOString()),
    );
    // WAL never reaches a time in the future: PostgreSQL ends recovery before the target.
    await cnpg(t, 'clusters').create(
      restoringTo('pg-too-late', new Date(Date.now() + 86_400_000).toISOString()),
    );
    for (const name of ['pg-too-early', 'pg-too-late']) {
      const failed = await unrecoverable(name);
      assert.match(String(failed.status?.phaseReason), new RegExp(`${name}-1-full-recovery`));
      assert.equal((await instancePods(name)).length, 0);
    }
  });

  test('an image catalog supplies the image; a missing catalog is reported in the phase', async () => {
    await cnpg(t, 'imagecatalogs').create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ImageCatalog',
      metadata: { name: 'pg-images' },
      spec: { images: [{ major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie' }] },
    });
    const ref = (name: string) => ({ apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name, major: 17 });
    await cnpg(t, 'clusters').create(clusterManifest('pg-cat', { imageCatalogRef: ref('pg-images') }));
    const ok = await healthy('pg-cat', 1);
    assert.equal(ok.status?.image, 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie');
    await cnpg(t, 'clusters').create(clusterManifest('pg-nocat', { imageCatalogRef: ref('absent') }));
    const broken = await t.eventually(async () => {
      const c = await cnpg(t, 'clusters').get('pg-nocat');
      return c.status?.phase === 'Cluster has incomplete or invalid image catalog' ? c : undefined;
    });
    assert.equal(broken.status?.readyInstances ?? 0, 0);
  });

  test('storage grows on the PVCs and never shrinks', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-disk', { instances: 1 }));
    await healthy('pg-disk', 1);
    await clusters.merge('pg-disk', { spec: { storage: { size: '2Gi' } } });
    await t.eventually(async () => {
      const pvc = await t.core.readNamespacedPersistentVolumeClaim({
        name: 'pg-disk-1',
        namespace: t.namespace,
      });
      return pvc.spec?.resources?.requests?.storage === '2Gi' ? pvc : undefined;
    });
    const shrink = await expectStatus(clusters.merge('pg-disk', { spec: { storage: { size: '1Gi' } } }), 422);
    assert.equal(shrink.reason, 'Invalid');
    assert.equal(
      shrink.message,
      'admission webhook "vcluster.cnpg.io" denied the request: Cluster.cluster.cnpg.io "pg-disk" is invalid: spec.storage: Invalid value: "1Gi": can\'t shrink existing storage from 2Gi to 1Gi',
    );
    assert.deepEqual(shrink.details?.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "1Gi": can\'t shrink existing storage from 2Gi to 1Gi',
        field: 'spec.storage',
      },
    ]);
  });

  test('restartedAt restarts every instance; reloadedAt leaves pods running', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-rs', { instances: 2 }));
    await healthy('pg-rs', 2);
    const uids = (await instancePods('pg-rs')).map((p) => p.metadata?.uid);
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await clusters.merge('pg-rs', {
      metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': stamp } },
    });
    const pods = await t.eventually(async () => {
      await healthy('pg-rs', 2);
      const list = await instancePods('pg-rs');
      return list.every((p) => p.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] === stamp)
        ? list
        : undefined;
    });
    assert.ok(
      pods.every((p) => !uids.includes(p.metadata?.uid)),
      'pods.every((p) => !uids.includes(p.metadata?.uid))',
    );
    await clusters.merge('pg-rs', {
      metadata: { annotations: { 'cnpg.io/reloadedAt': new Date().toISOString() } },
    });
    await healthy('pg-rs', 2);
    assert.deepEqual(
      (await instancePods('pg-rs')).map((p) => p.metadata?.uid),
      pods.map((p) => p.metadata?.uid),
    );
  });

  test('an in-place primary restart requested through the status restarts PostgreSQL inside the primary pod', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-ip', { instances: 2 }));
    await healthy('pg-ip', 2);
    const before = await instancePods('pg-ip');
    await clusters.mergeStatus('pg-ip', {
      status: { phase: 'Primary instance is being restarted in-place', phaseReason: 'Requested by the user' },
    });
    await t.eventually(async () => {
      const c = await clusters.get('pg-ip');
      return c.status?.phase === 'Cluster in healthy state' ? c : undefined;
    });
    // The instance manager restarts PostgreSQL itself and reports the cluster healthy; no pod is recreated.
    const pods = await instancePods('pg-ip');
    assert.deepEqual(
      pods.map((p) => p.metadata?.uid),
      before.map((p) => p.metadata?.uid),
    );
    assert.equal(pods[0]?.metadata?.labels?.['cnpg.io/instanceRole'], 'primary');
  });

  test('a minor image change rolls the pods; a major change runs an offline upgrade', async () => {
    const clusters = cnpg(t, 'clusters');
    const image = (tag: string) => `ghcr.io/cloudnative-pg/postgresql:${tag}`;
    await clusters.create(clusterManifest('pg-up', { instances: 2, imageName: image('17.5-system-trixie') }));
    await healthy('pg-up', 2);
    await clusters.merge('pg-up', { spec: { imageName: image('17.6-system-trixie') } });
    const minor = await t.eventually(async () => {
      const pods = await instancePods('pg-up');
      const c = await clusters.get('pg-up');
      return pods.every((p) => p.spec?.containers[0]?.image === image('17.6-system-trixie')) &&
        c.status?.phase === 'Cluster in healthy state'
        ? c
        : undefined;
    });
    assert.deepEqual(minor.status?.pgDataImageInfo, { image: image('17.6-system-trixie'), majorVersion: 17 });

    const phases: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      `/apis/postgresql.cnpg.io/v1/namespaces/${t.namespace}/clusters`,
      { fieldSelector: 'metadata.name=pg-up' },
      (_type, obj: Obj) => {
        const phase = obj.status?.phase as string | undefined;
        if (phase && phases.at(-1) !== phase) phases.push(phase);
      },
      () => undefined,
    );
    await clusters.merge('pg-up', { spec: { imageName: image('18.4-system-trixie') } });
    const major = await t.eventually(async () => {
      const c = await clusters.get('pg-up');
      const info = c.status?.pgDataImageInfo as { majorVersion?: number } | undefined;
      return info?.majorVersion === 18 &&
        c.status?.phase === 'Cluster in healthy state' &&
        c.status?.readyInstances === 2
        ? c
        : undefined;
    });
    req.abort();
    assert.ok(phases.includes('Upgrading Postgres major version'), phases.join(' → '));
    assert.equal(major.status?.targetPgDataImageInfo, undefined);
    const pods = await instancePods('pg-up');
    assert.ok(
      pods.every((p) => p.spec?.containers[0]?.image === image('18.4-system-trixie')),
      "pods.every((p) => p.spec?.containers[0]?.image === image('18.4-system-trixie'))",
    );
    const downgrade = await expectStatus(
      clusters.merge('pg-up', { spec: { imageName: image('17.6-system-trixie') } }),
      422,
    );
    assert.match(downgrade.message, /can't downgrade from major 18 to 17/);
  });

  test('parameter changes reload the instances; restart-only parameters roll them', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(
      clusterManifest('pg-par', { instances: 2, postgresql: { parameters: { work_mem: '4MB' } } }),
    );
    await healthy('pg-par', 2);
    const before = (await instancePods('pg-par')).map((p) => p.metadata?.uid);
    await clusters.merge('pg-par', { spec: { postgresql: { parameters: { work_mem: '64MB' } } } });
    await t.eventually(async () => {
      const log = await t.core.readNamespacedPodLog({
        name: 'pg-par-1',
        namespace: t.namespace,
        container: 'postgres',
      });
      return log.includes('parameter \\"work_mem\\" changed to \\"64MB\\"') ? true : undefined;
    });
    assert.deepEqual(
      (await instancePods('pg-par')).map((p) => p.metadata?.uid),
      before,
    );
    await clusters.merge('pg-par', { spec: { postgresql: { parameters: { shared_buffers: '256MB' } } } });
    await t.eventually(async () => {
      await healthy('pg-par', 2);
      const uids = (await instancePods('pg-par')).map((p) => p.metadata?.uid);
      return uids.every((u) => !before.includes(u)) ? true : undefined;
    });
  });

  test('hibernation removes pods and keeps PVCs; turning it off brings them back', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-hib', { instances: 2 }));
    await healthy('pg-hib', 2);
    await clusters.merge('pg-hib', { metadata: { annotations: { 'cnpg.io/hibernation': 'on' } } });
    const hibernated = await t.eventually(async () => {
      const c = await clusters.get('pg-hib');
      const cond = (
        c.status?.conditions as { type: string; status: string; reason: string }[] | undefined
      )?.find((x) => x.type === 'cnpg.io/hibernation');
      return cond?.status === 'True' ? { c, cond } : undefined;
    });
    assert.equal(hibernated.cond.reason, 'Hibernated');
    assert.deepEqual(await instancePods('pg-hib'), []);
    const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
      namespace: t.namespace,
      labelSelector: 'cnpg.io/cluster=pg-hib',
    });
    assert.equal(pvcs.items.length, 2);
    const badValue = await expectStatus(
      clusters.merge('pg-hib', { metadata: { annotations: { 'cnpg.io/hibernation': 'maybe' } } }),
      422,
    );
    assert.match(badValue.message, /metadata\.annotations\.cnpg\.io\/hibernation/);
    await clusters.merge('pg-hib', { metadata: { annotations: { 'cnpg.io/hibernation': 'off' } } });
    await healthy('pg-hib', 2);
    assert.equal((await instancePods('pg-hib')).length, 2);
  });

  test('fencing an instance makes its pod not ready', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-fence', { instances: 2 }));
    await healthy('pg-fence', 2);
    await clusters.merge('pg-fence', {
      metadata: { annotations: { 'cnpg.io/fencedInstances': '["pg-fence-2"]' } },
    });
    const fenced = await t.eventually(async () => {
      const c = await clusters.get('pg-fence');
      return c.status?.readyInstances === 1 ? c : undefined;
    });
    assert.equal(fenced.status?.instances, 2);
    const pod = await t.core.readNamespacedPod({ name: 'pg-fence-2', namespace: t.namespace });
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    await clusters.merge('pg-fence', { metadata: { annotations: { 'cnpg.io/fencedInstances': null } } });
    await healthy('pg-fence', 2);
  });

  test('a maintenance window removes the PodDisruptionBudgets; ending it restores them', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-mw', { instances: 3 }));
    await healthy('pg-mw', 3);
    const pdbs = async () =>
      (
        await t.kc.makeApiClient(k8s.PolicyV1Api).listNamespacedPodDisruptionBudget({
          namespace: t.namespace,
          labelSelector: 'cnpg.io/cluster=pg-mw',
        })
      ).items
        .map((p) => p.metadata?.name)
        .sort();
    assert.deepEqual(await pdbs(), ['pg-mw', 'pg-mw-primary']);
    await clusters.merge('pg-mw', { spec: { nodeMaintenanceWindow: { inProgress: true, reusePVC: true } } });
    await t.eventually(async () => ((await pdbs()).length === 0 ? true : undefined));
    await clusters.merge('pg-mw', { spec: { nodeMaintenanceWindow: { inProgress: false } } });
    await t.eventually(async () => ((await pdbs()).length === 2 ? true : undefined));
  });

  test('a supervised primary update waits for the user', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-sup', { instances: 2, primaryUpdateStrategy: 'supervised' }));
    await healthy('pg-sup', 2);
    await clusters.merge('pg-sup', {
      metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
    });
    const waiting = await t.eventually(async () => {
      const c = await clusters.get('pg-sup');
      return c.status?.phase === 'Waiting for user action' ? c : undefined;
    });
    assert.equal(waiting.status?.currentPrimary, 'pg-sup-1');
  });

  test('pod logs are CNPG JSON lines and honour container, tailLines and sinceSeconds', async () => {
    await cnpg(t, 'clusters').create(clusterManifest('pg-log', { instances: 1 }));
    await healthy('pg-log', 1);
    const log = await t.core.readNamespacedPodLog({
      name: 'pg-log-1',
      namespace: t.namespace,
      container: 'postgres',
    });
    const lines = log.trim().split('\n');
    assert.ok(lines.length >= 2, 'lines.length >= 2');
    const parsed = lines.map(
      (l) =>
        JSON.parse(l) as {
          level: string;
          ts: string;
          logger: string;
          logging_pod: string;
          record?: { message: string };
        },
    );
    assert.ok(
      parsed.every((l) => l.logging_pod === 'pg-log-1' && l.level && l.ts && l.logger),
      "parsed.every((l) => l.logging_pod === 'pg-log-1' && l.level && l.ts && l.logger)",
    );
    assert.ok(
      parsed.some(
        (l) => l.logger === 'postgres' && l.record?.message.includes('ready to accept connections'),
      ),
      "parsed.some((l) => l.logger === 'postgres' && l.record?.message.includes('ready to acce…",
    );
    const tail = await t.core.readNamespacedPodLog({
      name: 'pg-log-1',
      namespace: t.namespace,
      container: 'postgres',
      tailLines: 1,
    });
    assert.equal(tail.trim().split('\n').length, 1);
    const recent = await t.core.readNamespacedPodLog({
      name: 'pg-log-1',
      namespace: t.namespace,
      container: 'postgres',
      sinceSeconds: 3600,
    });
    assert.ok(recent.length > 0, 'recent.length > 0');
    const wrong = await expectStatus(
      t.core.readNamespacedPodLog({ name: 'pg-log-1', namespace: t.namespace, container: 'nope' }),
      400,
    );
    assert.equal(wrong.message, 'container nope is not valid for pod pg-log-1');
  });

  test('following a pod log streams new lines as they are written', async () => {
    const chunks: string[] = [];
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const req = await new k8s.Log(t.kc).log(t.namespace, 'pg-log-1', 'postgres', out, {
      follow: true,
      tailLines: 0,
    });
    await cnpg(t, 'clusters').merge('pg-log', {
      metadata: { annotations: { 'cnpg.io/reloadedAt': new Date().toISOString() } },
    });
    await t.eventually(async () =>
      chunks.join('').includes('received SIGHUP, reloading configuration files') ? true : undefined,
    );
    req.abort();
  });

  test('the instance metrics endpoint answers through the pods/proxy subresource', async () => {
    await healthy('pg-log', 1);
    const metrics = await t.core.connectGetNamespacedPodProxyWithPath({
      name: 'pg-log-1:9187',
      namespace: t.namespace,
      path: 'metrics',
    });
    assert.match(String(metrics), /^cnpg_collector_up\{cluster="pg-log"\} 1$/m);
    assert.match(String(metrics), /^cnpg_pg_replication_in_recovery 0$/m);
  });

  test('events are recorded for the cluster', async () => {
    await cnpg(t, 'clusters').create(clusterManifest('pg-ev', { instances: 1 }));
    await healthy('pg-ev', 1);
    const events = await t.eventually(async () => {
      const list = await t.core.listNamespacedEvent({
        namespace: t.namespace,
        fieldSelector: 'involvedObject.name=pg-ev',
      });
      return list.items.length > 0 ? list.items : undefined;
    });
    assert.ok(
      events.every((e) => e.involvedObject.kind === 'Cluster'),
      "events.every((e) => e.involvedObject.kind === 'Cluster')",
    );
  });

  test('superuser secret exists only with enableSuperuserAccess', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('pg-su', { instances: 1, enableSuperuserAccess: true }));
    await healthy('pg-su', 1);
    const su = await t.core.readNamespacedSecret({ name: 'pg-su-superuser', namespace: t.namespace });
    assert.equal(Buffer.from(su.data?.username ?? '', 'base64').toString(), 'postgres');
    await clusters.merge('pg-su', { spec: { enableSuperuserAccess: false } });
    await t.eventually(async () => {
      try {
        await t.core.readNamespacedSecret({ name: 'pg-su-superuser', namespace: t.namespace });
        return undefined;
      } catch {
        return true;
      }
    });
  });

  test('deleting a cluster cascades to what it owns and keeps user secrets', async () => {
    await t.core.createNamespacedSecret({
      namespace: t.namespace,
      body: {
        metadata: { name: 'pg-gone-user' },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'u', password: 'p' },
      },
    });
    await cnpg(t, 'clusters').create(clusterManifest('pg-gone', { instances: 2 }));
    await healthy('pg-gone', 2);
    const status = await cnpg(t, 'clusters').delete('pg-gone');
    assert.equal(status.status, 'Success');
    await t.eventually(async () => {
      const pods = await instancePods('pg-gone');
      const pvcs = await t.core.listNamespacedPersistentVolumeClaim({
        namespace: t.namespace,
        labelSelector: 'cnpg.io/cluster=pg-gone',
      });
      const secrets = await t.core.listNamespacedSecret({
        namespace: t.namespace,
        labelSelector: 'cnpg.io/cluster=pg-gone',
      });
      return pods.length + pvcs.items.length + secrets.items.length === 0 ? true : undefined;
    });
    await expectStatus(t.core.readNamespacedService({ name: 'pg-gone-rw', namespace: t.namespace }), 404);
    assert.ok(
      await t.core.readNamespacedSecret({ name: 'pg-gone-user', namespace: t.namespace }),
      "await t.core.readNamespacedSecret({ name: 'pg-gone-user', namespace: t.namespace })",
    );
  });
});
