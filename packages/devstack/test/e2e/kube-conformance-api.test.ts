import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import {
  clusterManifest,
  cnpg,
  expectStatus,
  openTarget,
  strategicPatch,
  type Target,
} from '../support/kube-support.js';

describe('Kubernetes API conformance: generic machinery', () => {
  let t: Target;
  before(async () => {
    t = await openTarget();
  });
  after(async () => {
    await t.close();
  });

  test('discovery lists the CNPG group with verbs and subresources', async () => {
    const version = await t.kc.makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.major, '1');
    const groups = await t.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const group = groups.groups.find((g) => g.name === 'postgresql.cnpg.io');
    assert.equal(group?.preferredVersion?.groupVersion, 'postgresql.cnpg.io/v1');
    const list = await t.custom.getAPIResources({ group: 'postgresql.cnpg.io', version: 'v1' });
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    const clusters = byName.get('clusters');
    assert.equal(clusters?.kind, 'Cluster');
    assert.equal(clusters?.namespaced, true);
    assert.deepEqual([...(clusters?.verbs ?? [])].sort(), [
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    assert.deepEqual(byName.get('clusters/status')?.verbs, ['get', 'patch', 'update']);
    assert.equal(byName.get('clusters/scale')?.kind, 'Scale');
    assert.equal(byName.get('clusters/scale')?.group, 'autoscaling');
    assert.ok(byName.get('poolers/scale'), "byName.get('poolers/scale')");
    assert.equal(byName.get('imagecatalogs/status'), undefined);
    assert.equal(byName.get('clusterimagecatalogs')?.namespaced, false);
    for (const plural of [
      'backups',
      'scheduledbackups',
      'databases',
      'publications',
      'subscriptions',
      'databaseroles',
    ]) {
      assert.ok(byName.get(`${plural}/status`), `${plural}/status`);
    }
    const core = await t.core.getAPIResources();
    const pods = core.resources.find((r) => r.name === 'pods');
    assert.deepEqual(pods?.shortNames, ['po']);
    assert.ok(
      core.resources.find((r) => r.name === 'pods/log'),
      "core.resources.find((r) => r.name === 'pods/log')",
    );
  });

  test('the CNPG CustomResourceDefinitions are installed and established', async () => {
    const ext = t.kc.makeApiClient(k8s.ApiextensionsV1Api);
    const crd = await ext.readCustomResourceDefinition({ name: 'clusters.postgresql.cnpg.io' });
    assert.equal(crd.spec.names.kind, 'Cluster');
    assert.equal(crd.spec.scope, 'Namespaced');
    const v1 = crd.spec.versions.find((v) => v.name === 'v1');
    assert.equal(v1?.served, true);
    assert.equal(v1?.subresources?.scale?.specReplicasPath, '.spec.instances');
    assert.ok(
      v1?.additionalPrinterColumns?.some(
        (c) => c.name === 'Primary' && c.jsonPath === '.status.currentPrimary',
      ),
      "v1?.additionalPrinterColumns?.some((c) => c.name === 'Primary' && c.jsonPath === '.stat…",
    );
    assert.ok(
      v1?.schema?.openAPIV3Schema?.properties?.spec?.properties?.instances,
      'v1?.schema?.openAPIV3Schema?.properties?.spec?.properties?.instances',
    );
    assert.equal(crd.status?.conditions?.find((c) => c.type === 'Established')?.status, 'True');
    const all = await ext.listCustomResourceDefinition();
    const cnpgCrds = all.items
      .filter((c) => c.spec.group === 'postgresql.cnpg.io')
      .map((c) => c.metadata?.name);
    assert.ok(
      cnpgCrds.includes('clusterimagecatalogs.postgresql.cnpg.io'),
      "cnpgCrds.includes('clusterimagecatalogs.postgresql.cnpg.io')",
    );
    assert.ok(
      cnpgCrds.includes('databaseroles.postgresql.cnpg.io'),
      "cnpgCrds.includes('databaseroles.postgresql.cnpg.io')",
    );
  });

  test('create sets server metadata, strips status, applies defaults and prunes unknown fields', async () => {
    const clusters = cnpg(t, 'clusters');
    const body = clusterManifest('meta-1', { unknownField: true });
    (body as Record<string, unknown>).status = { phase: 'made up' };
    const created = await clusters.create(body);
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.resourceVersion ?? '', /^\d+$/);
    assert.equal(created.metadata.generation, 1);
    assert.match(String(created.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.status, undefined);
    assert.equal(created.spec?.unknownField, undefined);
    assert.equal(created.spec?.enableSuperuserAccess, false);
    assert.equal((created.spec?.storage as Record<string, unknown> | undefined)?.resizeInUseVolumes, true);
    assert.equal(created.spec?.primaryUpdateStrategy, 'unsupervised');
  });

  test('duplicate create is 409 AlreadyExists and a missing object is 404 NotFound', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('dup-1'));
    const exists = await expectStatus(clusters.create(clusterManifest('dup-1')), 409);
    assert.equal(exists.reason, 'AlreadyExists');
    assert.equal(exists.message, 'clusters.postgresql.cnpg.io "dup-1" already exists');
    assert.deepEqual(exists.details, { name: 'dup-1', group: 'postgresql.cnpg.io', kind: 'clusters' });
    const missing = await expectStatus(clusters.get('nope'), 404);
    assert.equal(missing.reason, 'NotFound');
    assert.equal(missing.message, 'clusters.postgresql.cnpg.io "nope" not found');
    const pod = await expectStatus(t.core.readNamespacedPod({ name: 'nope', namespace: t.namespace }), 404);
    assert.equal(pod.message, 'pods "nope" not found');
    assert.deepEqual(pod.details, { name: 'nope', kind: 'pods' });
  });

  test('generateName produces a unique name with the prefix', async () => {
    const cm = await t.core.createNamespacedConfigMap({
      namespace: t.namespace,
      body: { metadata: { generateName: 'gen-' }, data: { a: '1' } },
    });
    assert.match(cm.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
  });

  test('update needs resourceVersion on custom resources, rejects stale ones, bumps generation on spec only', async () => {
    // ImageCatalog has no controller, so nothing else writes to it during the test.
    const catalogs = cnpg(t, 'imagecatalogs');
    const created = await catalogs.create({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ImageCatalog',
      metadata: { name: 'upd-1' },
      spec: { images: [{ major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.5' }] },
    });
    const noRv = structuredClone(created);
    delete noRv.metadata.resourceVersion;
    const missing = await expectStatus(catalogs.replace('upd-1', noRv), 422);
    assert.equal(missing.reason, 'Invalid');
    assert.match(
      missing.message,
      /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
    );
    const labelled = await catalogs.replace('upd-1', {
      ...created,
      metadata: { ...created.metadata, labels: { team: 'a' } },
    });
    assert.equal(labelled.metadata.generation, 1);
    assert.ok(
      Number(labelled.metadata.resourceVersion) > Number(created.metadata.resourceVersion),
      'Number(labelled.metadata.resourceVersion) > Number(created.metadata.resourceVersion)',
    );
    const images = [{ major: 18, image: 'ghcr.io/cloudnative-pg/postgresql:18.4' }];
    const stale = await expectStatus(catalogs.replace('upd-1', { ...created, spec: { images } }), 409);
    assert.equal(stale.reason, 'Conflict');
    assert.equal(
      stale.message,
      'Operation cannot be fulfilled on imagecatalogs.postgresql.cnpg.io "upd-1": the object has been modified; please apply your changes to the latest version and try again',
    );
    const changed = await catalogs.replace('upd-1', { ...labelled, spec: { images } });
    assert.equal(changed.metadata.generation, 2);
  });

  test('merge and JSON patches; strategic merge is 415 on custom resources but merges lists on core types', async () => {
    const clusters = cnpg(t, 'clusters');
    await clusters.create(clusterManifest('patch-1'));
    const merged = await clusters.merge('patch-1', {
      metadata: { annotations: { note: 'x' } },
      spec: { instances: 3 },
    });
    assert.equal(merged.spec?.instances, 3);
    assert.equal(merged.metadata.annotations?.note, 'x');
    const jsonPatched = await clusters.jsonPatch('patch-1', [
      { op: 'replace', path: '/spec/instances', value: 2 },
    ]);
    assert.equal(jsonPatched.spec?.instances, 2);
    const failedTest = await expectStatus(
      clusters.jsonPatch('patch-1', [{ op: 'test', path: '/spec/instances', value: 9 }]),
      422,
    );
    assert.equal(failedTest.reason, 'Invalid');
    const smp = await expectStatus(
      t.custom.patchNamespacedCustomObject(
        {
          group: 'postgresql.cnpg.io',
          version: 'v1',
          namespace: t.namespace,
          plural: 'clusters',
          name: 'patch-1',
          body: { spec: { instances: 1 } },
        },
        strategicPatch,
      ),
      415,
    );
    assert.equal(smp.reason, 'UnsupportedMediaType');
    assert.match(
      smp.message,
      /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/,
    );
    const objectApi = await expectStatus(
      t.objects.patch({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'patch-1', namespace: t.namespace },
        spec: { instances: 1 },
      } as k8s.KubernetesObject),
      415,
    );
    assert.equal(objectApi.code, 415);
    await t.core.createNamespacedService({
      namespace: t.namespace,
      body: {
        metadata: { name: 'svc-1' },
        spec: { ports: [{ name: 'a', port: 80 }], selector: { app: 'x' } },
      },
    });
    const svc = await t.core.patchNamespacedService(
      { name: 'svc-1', namespace: t.namespace, body: { spec: { ports: [{ name: 'b', port: 81 }] } } },
      strategicPatch,
    );
    assert.deepEqual(svc.spec?.ports?.map((p) => p.port).sort(), [80, 81]);
  });

  test('server-side apply creates, detects field conflicts and forces ownership', async () => {
    const clusters = cnpg(t, 'clusters');
    const manifest = { ...clusterManifest('ssa-1'), metadata: { name: 'ssa-1', namespace: t.namespace } };
    const created = await clusters.apply('ssa-1', manifest, 'tool-a');
    assert.equal(created.spec?.instances, 1);
    assert.ok(
      created.metadata.managedFields?.some((m) => m.manager === 'tool-a' && m.operation === 'Apply'),
      "created.metadata.managedFields?.some((m) => m.manager === 'tool-a' && m.operation === '…",
    );
    const again = await clusters.apply('ssa-1', manifest, 'tool-a');
    assert.equal(again.metadata.generation, created.metadata.generation);
    const changed = { ...manifest, spec: { ...manifest.spec, instances: 2 } };
    const conflict = await expectStatus(clusters.apply('ssa-1', changed, 'tool-b'), 409);
    assert.equal(conflict.reason, 'Conflict');
    assert.equal(
      conflict.message,
      'Apply failed with 1 conflict: conflict with "tool-a" using postgresql.cnpg.io/v1: .spec.instances',
    );
    assert.deepEqual(
      conflict.details?.causes,
      [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "tool-a" using postgresql.cnpg.io/v1',
          field: '.spec.instances',
        },
      ].map((c) => ({ ...c, message: `${c.message}: .spec.instances` })),
    );
    const forced = await clusters.apply('ssa-1', changed, 'tool-b', true);
    assert.equal(forced.spec?.instances, 2);
    const noManager = await expectStatus(
      t.custom.patchNamespacedCustomObject(
        {
          group: 'postgresql.cnpg.io',
          version: 'v1',
          namespace: t.namespace,
          plural: 'clusters',
          name: 'ssa-1',
          body: changed,
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
      422,
    );
    assert.match(noManager.message, /fieldManager: Required value: is required for apply patch/);
  });

  test('the status subresource: main endpoint ignores status, /status ignores spec and keeps generation', async () => {
    const clusters = cnpg(t, 'clusters');
    const created = await clusters.create(clusterManifest('st-1'));
    await t.settle();
    const current = await clusters.get('st-1');
    const viaMain = await clusters.merge('st-1', { status: { phase: 'forged' } });
    assert.notEqual(viaMain.status?.phase, 'forged');
    const viaStatus = await clusters.mergeStatus('st-1', {
      spec: { instances: 5 },
      status: { phaseReason: 'set via status' },
    });
    assert.equal(viaStatus.status?.phaseReason, 'set via status');
    assert.equal(viaStatus.spec?.instances, 1);
    assert.equal(viaStatus.metadata.generation, current.metadata.generation);
    assert.equal(created.metadata.generation, viaStatus.metadata.generation);
  });

  test('lists filter by label and field selectors, page with limit/continue and span namespaces', async () => {
    const ns = t.namespace;
    for (const [name, labels] of [
      ['sel-a', { tier: 'db', env: 'prod' }],
      ['sel-b', { tier: 'db', env: 'dev' }],
      ['sel-c', { tier: 'web' }],
    ] as const) {
      await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
    }
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await t.core.listNamespacedConfigMap({ namespace: ns, labelSelector, fieldSelector })).items
        .map((i) => i.metadata?.name)
        .filter((n) => n?.startsWith('sel-'));
    assert.deepEqual(await names('tier=db'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('tier==db,env!=prod'), ['sel-b']);
    assert.deepEqual(await names('env in (prod,dev)'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('tier,env notin (prod)'), ['sel-b', 'sel-c']);
    assert.deepEqual(await names('!env'), ['sel-c']);
    assert.deepEqual(await names(undefined, 'metadata.name=sel-c'), ['sel-c']);
    const bad = await expectStatus(
      t.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'a in (b' }),
      400,
    );
    assert.equal(bad.reason, 'BadRequest');
    const clusters = cnpg(t, 'clusters');
    const badField = await expectStatus(clusters.list({ fieldSelector: 'spec.instances=1' }), 400);
    assert.equal(badField.message, 'field label not supported: spec.instances');

    const page1 = await t.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier', limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.metadata?._continue, 'page1.metadata?._continue');
    const page2 = await t.core.listNamespacedConfigMap({
      namespace: ns,
      labelSelector: 'tier',
      limit: 2,
      _continue: page1.metadata?._continue,
    });
    assert.deepEqual(
      page2.items.map((i) => i.metadata?.name),
      ['sel-c'],
    );
    assert.ok(!page2.metadata?._continue, '!page2.metadata?._continue');

    const all = await t.custom.listClusterCustomObject({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      plural: 'clusters',
    });
    const items = (all as { items: { metadata: k8s.V1ObjectMeta; kind: string }[] }).items;
    assert.ok(
      items.some((i) => i.metadata.namespace === ns),
      'items.some((i) => i.metadata.namespace === ns)',
    );
    assert.equal(items[0]?.kind, 'Cluster');
    const cms = await t.core.listConfigMapForAllNamespaces({ labelSelector: 'tier=web' });
    assert.ok(
      cms.items.some((i) => i.metadata?.namespace === ns && i.metadata.name === 'sel-c'),
      "cms.items.some((i) => i.metadata?.namespace === ns && i.metadata.name === 'sel-c')",
    );
  });

  test('delete answers a Success Status; dryRun=All validates without persisting', async () => {
    const clusters = cnpg(t, 'clusters');
    const dry = await clusters.create(clusterManifest('dry-1'), { dryRun: 'All' });
    assert.ok(dry.metadata.uid, 'dry.metadata.uid');
    assert.ok(!dry.metadata.resourceVersion, '!dry.metadata.resourceVersion');
    await expectStatus(clusters.get('dry-1'), 404);
    const invalidDry = await expectStatus(clusters.create(clusterManifest('dry-1'), { dryRun: 'Yes' }), 422);
    assert.match(invalidDry.message, /Unsupported value: "Yes": supported values: "All"/);
    const created = await clusters.create(clusterManifest('del-1'));
    await clusters.delete('del-1', { dryRun: 'All' });
    assert.ok(await clusters.get('del-1'), "await clusters.get('del-1')");
    const dryPatch = await clusters.merge('del-1', { spec: { instances: 3 } }, { dryRun: 'All' });
    assert.equal(dryPatch.spec?.instances, 3);
    assert.equal((await clusters.get('del-1')).spec?.instances, 1);
    const status = await clusters.delete('del-1');
    assert.equal(status.status, 'Success');
    assert.deepEqual(status.details, {
      name: 'del-1',
      group: 'postgresql.cnpg.io',
      kind: 'clusters',
      uid: created.metadata.uid,
    });
    await expectStatus(clusters.get('del-1'), 404);
  });

  test('deletecollection removes what the selector matches', async () => {
    for (const name of ['dc-1', 'dc-2', 'dc-keep']) {
      await t.core.createNamespacedConfigMap({
        namespace: t.namespace,
        body: { metadata: { name, labels: { batch: name === 'dc-keep' ? 'keep' : 'drop' } } },
      });
    }
    await t.core.deleteCollectionNamespacedConfigMap({ namespace: t.namespace, labelSelector: 'batch=drop' });
    const left = await t.core.listNamespacedConfigMap({ namespace: t.namespace, labelSelector: 'batch' });
    assert.deepEqual(
      left.items.map((i) => i.metadata?.name),
      ['dc-keep'],
    );
  });

  test('secrets fold stringData into base64 data', async () => {
    const secret = await t.core.createNamespacedSecret({
      namespace: t.namespace,
      body: {
        metadata: { name: 'creds' },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'app', password: 'pw' },
      },
    });
    assert.equal(secret.data?.username, Buffer.from('app').toString('base64'));
    assert.equal(secret.stringData, undefined);
  });

  test('watch streams ADDED, MODIFIED and DELETED and resumes from a resourceVersion', async () => {
    const path = `/api/v1/namespaces/${t.namespace}/configmaps`;
    const seen: string[] = [];
    const watch = new k8s.Watch(t.kc);
    const req = await watch.watch(
      path,
      { labelSelector: 'watch=me' },
      (type, obj: k8s.V1ConfigMap) => {
        seen.push(`${type} ${obj.metadata?.name} ${obj.data?.v ?? ''}`.trim());
      },
      () => undefined,
    );
    const created = await t.core.createNamespacedConfigMap({
      namespace: t.namespace,
      body: { metadata: { name: 'w-1', labels: { watch: 'me' } }, data: { v: '1' } },
    });
    await t.core.patchNamespacedConfigMap(
      { name: 'w-1', namespace: t.namespace, body: { data: { v: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await t.core.deleteNamespacedConfigMap({ name: 'w-1', namespace: t.namespace });
    await t.eventually(async () => (seen.length >= 3 ? true : undefined));
    req.abort();
    assert.deepEqual(seen, ['ADDED w-1 1', 'MODIFIED w-1 2', 'DELETED w-1 2']);

    const resumed: string[] = [];
    const req2 = await watch.watch(
      path,
      { labelSelector: 'watch=me', resourceVersion: created.metadata?.resourceVersion },
      (type) => resumed.push(type),
      () => undefined,
    );
    await t.eventually(async () => (resumed.length >= 2 ? true : undefined));
    req2.abort();
    assert.deepEqual(resumed, ['MODIFIED', 'DELETED']);
  });

  test('a watch from a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    const events: { type: string; object: { code?: number; reason?: string } }[] = [];
    const watch = new k8s.Watch(t.kc);
    let done = false;
    await watch.watch(
      `/api/v1/namespaces/${t.namespace}/configmaps`,
      { resourceVersion: '1' },
      (type, object) => events.push({ type, object }),
      () => {
        done = true;
      },
    );
    await t.eventually(async () => (events.length > 0 || done ? true : undefined));
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0]?.object.code, 410);
    assert.equal(events[0]?.object.reason, 'Expired');
  });

  test('an unknown bearer token gets 401 Unauthorized', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: t.kc.clusters,
      contexts: t.kc.contexts,
      currentContext: t.kc.currentContext,
      users: t.kc.users.map((u) => ({ ...u, token: 'not-a-real-token' })),
    });
    // client-node drops the body of a 401 (its OpenAPI spec declares none): check the code only.
    await assert.rejects(
      kc.makeApiClient(k8s.CoreV1Api).listNamespace(),
      (err: { code?: number }) => err.code === 401,
    );
  });
});
