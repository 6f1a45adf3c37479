// Debian's kubectl (a client no one here wrote) against the emulator: get, list across namespaces,
// apply, patch, delete and watch.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type KubeEmulator, startKubeEmulator } from '../../src/kube/index.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
/** Debian's kubectl 1.20, unpacked by the script on first use: it validates against /openapi/v2. */
const kubectl120 = async () =>
  (await run(new URL('../../scripts/kubectl-1.20.sh', import.meta.url).pathname, [])).stdout.trim();

describe('kubectl against the emulator', () => {
  let kube: KubeEmulator;
  let dir: string;
  const applyConfigMap = async (namespace: string, name: string) => {
    const file = join(dir, `${namespace}-${name}.yaml`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${namespace}}\ndata: {a: b}\n`,
    );
    return kubectl('apply', '-f', file);
  };
  const kubectlOf =
    (binary: string) =>
    async (...args: string[]) => {
      const { stdout } = await run(binary, [...args, '--cache-dir', join(dir, `cache-${binary.length}`)], {
        env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, HOME: dir },
        timeout: 30_000,
      });
      return stdout;
    };
  const kubectl = kubectlOf(KUBECTL);
  const clusterFile = (name: string, spec: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: ${name}, namespace: team-b}\nspec: ${spec}\n`,
    );
    return file;
  };
  const clusterNames = async () =>
    (await kubectl('get', 'clusters', '-n', 'team-b', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');

  before(async () => {
    kube = await startKubeEmulator({ stepDelayMs: 0, namespaces: ['apps', 'team-b'] });
    dir = mkdtempSync(join(tmpdir(), 'kubectl-test-'));
  });
  after(async () => {
    await kube.close();
  });

  test('apply creates and then updates a Cluster and a ConfigMap', async () => {
    const manifest = join(dir, 'pg.yaml');
    const write = (instances: number) =>
      writeFileSync(
        manifest,
        [
          'apiVersion: postgresql.cnpg.io/v1',
          'kind: Cluster',
          'metadata: {name: pg-kubectl, namespace: apps}',
          `spec: {instances: ${instances}, storage: {size: 1Gi}}`,
          '---',
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata: {name: settings, namespace: apps}',
          'data: {mode: fast}',
          '',
        ].join('\n'),
      );
    write(1);
    const created = await kubectl('apply', '-f', manifest);
    assert.match(created, /cluster\.postgresql\.cnpg\.io\/pg-kubectl created/);
    assert.match(created, /configmap\/settings created/);
    write(2);
    const updated = await kubectl('apply', '-f', manifest);
    assert.match(updated, /cluster\.postgresql\.cnpg\.io\/pg-kubectl configured/);
    assert.match(updated, /configmap\/settings unchanged/);
    const instances = await kubectl(
      'get',
      'cluster',
      'pg-kubectl',
      '-n',
      'apps',
      '-o',
      'jsonpath={.spec.instances}',
    );
    assert.equal(instances, '2');
  });

  test('create -f and apply -f with validation on (kubectl 1.32: server-side field validation)', async () => {
    const created = await kubectl(
      'create',
      '-f',
      clusterFile('pg-create', '{instances: 1, storage: {size: 1Gi}}'),
    );
    assert.match(created, /cluster\.postgresql\.cnpg\.io\/pg-create created/);
    const unknown = clusterFile('pg-unknown', '{instances: 1, bogus: 1, storage: {size: 1Gi}}');
    await assert.rejects(
      kubectl('create', '-f', unknown),
      /strict decoding error: unknown field "spec\.bogus"/,
    );
    await assert.rejects(
      kubectl('apply', '-f', unknown),
      /strict decoding error: unknown field "spec\.bogus"/,
    );
    const zero = clusterFile('pg-zero', '{instances: 0, storage: {size: 1Gi}}');
    await assert.rejects(
      kubectl('create', '-f', zero),
      /spec\.instances: Invalid value: 0: spec\.instances in body should be greater than or equal to 1/,
    );
    const names = await clusterNames();
    assert.ok(names.includes('pg-create'), "names.includes('pg-create')");
    assert.ok(
      !names.includes('pg-unknown') && !names.includes('pg-zero'),
      'refused manifests were not stored',
    );
    const explained = await kubectl('explain', 'cluster.spec.instances');
    assert.match(explained, /FIELD: +instances <integer>/);
  });

  test('kubectl 1.20 validates against /openapi/v2 (protobuf) before create -f and apply -f', async () => {
    const old = kubectlOf(await kubectl120());
    assert.match(await old('version', '--client'), /GitVersion:"v1\.20\./);
    const ok = clusterFile('pg-old', '{instances: 1, storage: {size: 1Gi}}');
    assert.match(await old('create', '-f', ok), /cluster\.postgresql\.cnpg\.io\/pg-old created/);
    assert.match(
      await old('apply', '-f', clusterFile('pg-old-2', '{instances: 2, storage: {size: 1Gi}}')),
      /created/,
    );
    const bad = clusterFile('pg-old-bad', '{instances: "two", bogus: 1, storage: {size: 1Gi}}');
    for (const verb of ['create', 'apply']) {
      await assert.rejects(
        old(verb, '-f', bad),
        (err: { stderr?: string }) =>
          /error validating data: .*unknown field "bogus" in io\.cnpg\.postgresql\.v1\.Cluster\.spec/.test(
            err.stderr ?? '',
          ) &&
          /invalid type for io\.cnpg\.postgresql\.v1\.Cluster\.spec\.instances: got "string", expected "integer"/.test(
            err.stderr ?? '',
          ),
      );
    }
    assert.ok(!(await clusterNames()).includes('pg-old-bad'), 'kubectl refused it before sending it');
    // Core kinds have no models in the document: kubectl skips their validation, as it does for any
    // kind a server does not describe.
    const cm = join(dir, 'old-cm.yaml');
    writeFileSync(
      cm,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-cm, namespace: team-b}\ndata: {a: b}\n',
    );
    assert.match(await old('apply', '-f', cm), /configmap\/old-cm created/);
    assert.match(await old('explain', 'cluster.spec.storage'), /size\s+<string>/);
  });

  test('get and list across namespaces', async () => {
    await applyConfigMap('team-b', 'other');
    const all = JSON.parse(await kubectl('get', 'configmaps', '-A', '-o', 'json')) as {
      items: { metadata: { name: string; namespace: string } }[];
    };
    const names = all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
    assert.ok(names.includes('apps/settings'), "names.includes('apps/settings')");
    assert.ok(names.includes('team-b/other'), "names.includes('team-b/other')");
    const table = await kubectl('get', 'clusters', '-n', 'apps');
    assert.match(table, /^NAME\s+AGE\s+INSTANCES\s+READY\s+STATUS\s+PRIMARY/m);
    assert.match(table, /pg-kubectl/);
    const byLabel = await kubectl('get', 'ns', '-l', 'kubernetes.io/metadata.name=apps', '-o', 'name');
    assert.equal(byLabel.trim(), 'namespace/apps');
  });

  test('patch with merge, JSON and strategic patches', async () => {
    await kubectl(
      'patch',
      'cluster',
      'pg-kubectl',
      '-n',
      'apps',
      '--type',
      'merge',
      '-p',
      '{"spec":{"instances":3}}',
    );
    await kubectl(
      'patch',
      'cluster',
      'pg-kubectl',
      '-n',
      'apps',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/metadata/labels","value":{"team":"a"}}]',
    );
    await kubectl('patch', 'configmap', 'settings', '-n', 'apps', '-p', '{"data":{"extra":"1"}}');
    const cluster = JSON.parse(await kubectl('get', 'cluster', 'pg-kubectl', '-n', 'apps', '-o', 'json')) as {
      spec: { instances: number };
      metadata: { labels: Record<string, string> };
    };
    assert.equal(cluster.spec.instances, 3);
    assert.equal(cluster.metadata.labels.team, 'a');
    const cm = JSON.parse(await kubectl('get', 'cm', 'settings', '-n', 'apps', '-o', 'json')) as {
      data: Record<string, string>;
    };
    assert.deepEqual(cm.data, { mode: 'fast', extra: '1' });
    await assert.rejects(
      kubectl('patch', 'cluster', 'pg-kubectl', '-n', 'apps', '-p', '{"spec":{"instances":1}}'),
      /UnsupportedMediaType|unknown format|strategic merge patch/i,
    );
  });

  test('watch prints changes as they happen', async () => {
    const child: ChildProcess = spawn(
      KUBECTL,
      [
        'get',
        'configmaps',
        '-n',
        'team-b',
        '--watch',
        '--output-watch-events',
        '--cache-dir',
        join(dir, 'cache'),
      ],
      { env: { ...process.env, KUBECONFIG: kube.kubeconfigPath, HOME: dir } },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`kubectl watch never printed ${pattern}: ${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(/^EVENT\s+NAME\s+DATA\s+AGE/m);
      await waitFor(/ADDED\s+other\s+1/);
      await applyConfigMap('team-b', 'watched');
      await waitFor(/ADDED\s+watched/);
      await kubectl('label', 'configmap', 'watched', '-n', 'team-b', 'x=y');
      await waitFor(/MODIFIED\s+watched/);
      await kubectl('delete', 'configmap', 'watched', '-n', 'team-b');
      await waitFor(/DELETED\s+watched/);
    } finally {
      child.kill();
    }
  });

  test('create generators (protobuf bodies) for namespaces, configmaps and secrets', async () => {
    await kubectl('create', 'namespace', 'made-by-kubectl');
    await kubectl('create', 'configmap', 'gen', '-n', 'made-by-kubectl', '--from-literal=a=b');
    await kubectl(
      'create',
      'secret',
      'generic',
      'role-pw',
      '-n',
      'made-by-kubectl',
      '--type=kubernetes.io/basic-auth',
      '--from-literal=username=reporting',
      '--from-literal=password=s3cret',
    );
    const secret = JSON.parse(
      await kubectl('get', 'secret', 'role-pw', '-n', 'made-by-kubectl', '-o', 'json'),
    ) as {
      type: string;
      data: Record<string, string>;
    };
    assert.equal(secret.type, 'kubernetes.io/basic-auth');
    assert.equal(Buffer.from(secret.data.username ?? '', 'base64').toString(), 'reporting');
    const cm = await kubectl('get', 'configmap', 'gen', '-n', 'made-by-kubectl', '-o', 'jsonpath={.data.a}');
    assert.equal(cm, 'b');
  });

  test('auth can-i answers from the RBAC policy; get events prints the event columns', async () => {
    const token = kube.addUser({ username: 'carol', groups: ['readers'] });
    kube.setRbac({
      groups: {
        readers: [
          {
            verbs: ['get', 'list'],
            apiGroups: ['postgresql.cnpg.io'],
            resources: ['clusters'],
            namespaces: ['apps'],
          },
        ],
      },
    });
    const can = async (...args: string[]) =>
      (
        await kubectl('auth', 'can-i', ...args, '-n', 'apps', `--token=${token}`).catch(
          (e: { stdout?: string }) => e.stdout ?? '',
        )
      ).trim();
    assert.equal(await can('list', 'clusters.postgresql.cnpg.io'), 'yes');
    assert.equal(await can('delete', 'clusters.postgresql.cnpg.io'), 'no');
    await kube.settle();
    const events = await kubectl('get', 'events', '-n', 'apps');
    assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/m);
    assert.match(events, /cluster\/pg-kubectl/);
  });

  test('delete removes the cluster and what it owns', async () => {
    await kube.settle();
    const out = await kubectl('delete', 'cluster', 'pg-kubectl', '-n', 'apps');
    assert.match(out, /cluster\.postgresql\.cnpg\.io "pg-kubectl" deleted/);
    await kube.settle();
    const pods = await kubectl('get', 'pods', '-n', 'apps', '-o', 'name');
    assert.equal(pods.trim(), '');
  });
});
