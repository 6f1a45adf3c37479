/**
 * Hostile colleague, roles and databases: bob shares a namespace with alice and tries to add a role
 * or a database to her cluster (a role with a password he knows is a way into her data), to change,
 * rotate or drop hers, or to change her objects wherever they are; and a non-admin tries to give a
 * role powers that reach the server itself (superuser, replication, bypassrls, createrole, membership
 * in pg_execute_server_program). Both ways CloudNativePG declares roles are attacked: DatabaseRole
 * objects (1.30) and the Cluster's spec.managed.roles (1.29). Every outcome is read back from the
 * Kubernetes API as its administrator. That roles, databases and password Secrets go with their
 * cluster (and a new cluster of the same name inherits none) is also in cluster.test.ts; this file
 * adds the managed.roles mode and Secrets made later by role_rotate_password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  emulatorOnly,
  type LocalStack,
  realCluster,
  startLocalStack,
} from '../../../../devstack/src/stack.js';
import { OWNER_LABEL } from '../../../src/identity.js';
import { call, ok, type ToolResult, textOf as text } from '../../support/objects-support.js';
import { connectClient } from '../../support/support.js';

const NS = 'team-r';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const POLICY = { namespaces: { everyone: [NS] }, ownership: { enforced: true } };

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Kubernetes objects and tool results.
type Loose = any;
/** One local stack with alice and bob, CloudNativePG 1.30 (DatabaseRole) or 1.29 (managed.roles). */
interface Side {
  cnpg: '1.30' | '1.29';
  stack: LocalStack;
  alice: Client;
  bob: Client;
  aliceId: string;
  bobId: string;
}

/**
 * Calls made as a hostile colleague would. Each test checks the effect in Kubernetes first, then
 * that every attempt was refused with the expected reason (so a missing guard shows as an effect).
 */
class Attempts {
  private readonly made: { what: string; pattern: RegExp; result: ToolResult }[] = [];

  async try(client: Client, name: string, args: Record<string, unknown>, pattern: RegExp): Promise<void> {
    this.made.push({
      what: `${name} ${JSON.stringify(args)}`,
      pattern,
      result: await call(client, name, args),
    });
  }

  /** Every attempt was refused, its message matching its pattern; returns the messages in order. */
  assertRefused(): string[] {
    assert.ok(this.made.length > 0, 'this.made.length > 0');
    return this.made.map(({ what, pattern, result }) => {
      assert.equal(result.isError, true, `${what} should be refused: ${text(result)}`);
      assert.match(text(result), pattern, what);
      return text(result);
    });
  }
}

async function getCr(side: Side, plural: string, name: string): Promise<Loose | undefined> {
  try {
    return await side.stack.admin.custom.getNamespacedCustomObject({ ...CNPG, namespace: NS, plural, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

async function getSecret(side: Side, name: string): Promise<Loose | undefined> {
  try {
    return await side.stack.admin.core.readNamespacedSecret({ namespace: NS, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** What a refused call must leave exactly as it was: resourceVersions, the managed roles, Secret data. */
async function fingerprint(side: Side, objects: [plural: string, name: string][], secrets: string[]) {
  const parts: Record<string, unknown> = {};
  for (const [plural, name] of objects) {
    const object = await getCr(side, plural, name);
    assert.ok(object, `${plural}/${name} exists`);
    parts[`${plural}/${name}`] =
      plural === 'clusters' ? (object.spec.managed?.roles ?? []) : object.metadata.resourceVersion;
  }
  for (const name of secrets) {
    const secret = await getSecret(side, name);
    assert.ok(secret, `Secret ${name} exists`);
    parts[`secrets/${name}`] = [secret.metadata.resourceVersion, secret.data];
  }
  return parts;
}

/** An object an administrator put in the namespace with kubectl, labelled as `owner`'s. */
async function plant(side: Side, plural: string, kind: string, name: string, owner: string, spec: object) {
  await side.stack.admin.custom.createNamespacedCustomObject({
    ...CNPG,
    namespace: NS,
    plural,
    body: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind,
      metadata: { name, labels: { [OWNER_LABEL]: owner, 'app.kubernetes.io/managed-by': 'cnpg-mcp' } },
      spec,
    },
  });
}

async function cluster(client: Client, name: string) {
  await ok(client, 'cluster_create', { name, storage_size: '1Gi', wait: true, wait_timeout_seconds: 60 });
}

async function startSide(cnpg: Side['cnpg']): Promise<Side> {
  const stack = await startLocalStack({
    kube: { namespaces: [NS], stepDelayMs: 1, cnpgVersion: cnpg },
    remoteApi: { env: { DEFAULT_NAMESPACE: NS }, policy: POLICY },
  });
  const clientOf = async (user: string) => connectClient(stack.api, await stack.tokenFor(user));
  const [alice, bob] = await Promise.all([clientOf('alice'), clientOf('bob')]);
  const idOf = async (client: Client) => String((await ok(client, 'whoami', {})).userId);
  const [aliceId, bobId] = await Promise.all([idOf(alice), idOf(bob)]);
  return { cnpg, stack, alice, bob, aliceId, bobId };
}

let modern: Side;
let legacy: Side;
/** CloudNativePG 1.29 is emulated: a real cluster runs the one release it has (1.30). */
const emulated129 = emulatorOnly('CloudNativePG 1.29 is emulated; a real cluster runs one release');
const only = (mode: Side['cnpg']) => (mode === '1.29' ? emulated129 : {});
/** alice on the 1.30 stack's second server, whose policy opens roleAttributes.superuser. */
let aliceSuperuserOk: Client;

before(async () => {
  [modern, legacy] = await Promise.all([
    startSide('1.30'),
    realCluster ? (undefined as unknown as Side) : startSide('1.29'),
  ]);
  const opened = await modern.stack.startApi({
    env: { DEFAULT_NAMESPACE: NS },
    policy: { ...POLICY, roleAttributes: { superuser: true } },
  });
  aliceSuperuserOk = await connectClient(opened, await modern.stack.tokenFor('alice'));
  for (const side of [modern, legacy].filter(Boolean)) {
    await cluster(side.alice, 'ledger');
    await ok(side.alice, 'role_create', { cluster: 'ledger', name: 'reporting' });
  }
  await ok(modern.alice, 'database_create', { cluster: 'ledger', name: 'shop', owner: 'reporting' });
  await Promise.all([modern.stack.kube.settle(), legacy?.stack.kube.settle()]);
});

after(async () => {
  await aliceSuperuserOk?.close();
  for (const side of [modern, legacy]) {
    await Promise.all([side?.alice.close(), side?.bob.close()]);
    await side?.stack.close();
  }
});

describe('bob cannot add a role or a database to alice’s cluster', () => {
  for (const mode of ['1.30', '1.29'] as const) {
    test(
      `role_create on her cluster is refused; no role, Secret or managed entry exists (CNPG ${mode})`,
      only(mode),
      async () => {
        const attempts = new Attempts();
        const side = mode === '1.30' ? modern : legacy;
        const before = await fingerprint(side, [['clusters', 'ledger']], []);
        for (const args of [{}, { superuser: true }, { disable_password: true, dry_run: true }]) {
          await attempts.try(
            side.bob,
            'role_create',
            { cluster: 'ledger', name: 'intruder', ...args },
            /rule ownership/,
          );
        }
        await side.stack.kube.settle();
        assert.equal(await getSecret(side, 'ledger-intruder-password'), undefined, 'no password Secret');
        if (mode === '1.30') {
          assert.equal(await getCr(side, 'databaseroles', 'ledger-intruder'), undefined, 'no DatabaseRole');
        }
        assert.deepEqual(
          await fingerprint(side, [['clusters', 'ledger']], []),
          before,
          'spec.managed.roles as it was',
        );
        attempts.assertRefused();
      },
    );
  }

  test('database_create on her cluster is refused; no Database exists', async () => {
    const attempts = new Attempts();
    await attempts.try(
      modern.bob,
      'database_create',
      { cluster: 'ledger', name: 'loot', owner: 'reporting' },
      /rule ownership/,
    );
    assert.equal(await getCr(modern, 'databases', 'ledger-loot'), undefined);
    attempts.assertRefused();
  });
});

describe('bob cannot change, rotate or drop alice’s roles and databases', () => {
  test('CNPG 1.29: her managed roles and their Secret stay as they were', emulated129, async () => {
    const attempts = new Attempts();
    const before = await fingerprint(legacy, [['clusters', 'ledger']], ['ledger-reporting-password']);
    const target = { cluster: 'ledger', name: 'reporting' };
    await attempts.try(
      legacy.bob,
      'role_update',
      { ...target, login: false, connection_limit: 1 },
      /rule ownership/,
    );
    await attempts.try(legacy.bob, 'role_rotate_password', target, /rule ownership/);
    await attempts.try(legacy.bob, 'role_delete', { ...target, confirm: 'reporting' }, /rule ownership/);
    await attempts.try(
      legacy.bob,
      'role_delete',
      { ...target, confirm: 'reporting', drop: false },
      /rule ownership/,
    );
    await legacy.stack.kube.settle();
    assert.deepEqual(
      await fingerprint(legacy, [['clusters', 'ledger']], ['ledger-reporting-password']),
      before,
    );
    attempts.assertRefused();
  });

  test('CNPG 1.30: her DatabaseRole, its Secret and her Database stay as they were', async () => {
    const attempts = new Attempts();
    const objects: [string, string][] = [
      ['databaseroles', 'ledger-reporting'],
      ['databases', 'ledger-shop'],
    ];
    const before = await fingerprint(modern, objects, ['ledger-reporting-password']);
    const role = { cluster: 'ledger', name: 'reporting' };
    const db = { cluster: 'ledger', name: 'shop' };
    await attempts.try(modern.bob, 'role_update', { ...role, login: false }, /rule ownership/);
    await attempts.try(modern.bob, 'role_rotate_password', role, /rule ownership/);
    await attempts.try(modern.bob, 'role_delete', { ...role, confirm: 'reporting' }, /rule ownership/);
    await attempts.try(
      modern.bob,
      'database_update',
      { ...db, owner: 'bob', connection_limit: 0 },
      /rule ownership/,
    );
    await attempts.try(
      modern.bob,
      'database_delete',
      { ...db, confirm: 'shop', drop: true },
      /rule ownership/,
    );
    await modern.stack.kube.settle();
    assert.deepEqual(await fingerprint(modern, objects, ['ledger-reporting-password']), before);
    attempts.assertRefused();
  });

  test('on his own cluster, bob cannot change or drop objects of alice’s that name it', async () => {
    const attempts = new Attempts();
    await cluster(modern.bob, 'bobs');
    const aliceId = modern.aliceId;
    await plant(modern, 'databaseroles', 'DatabaseRole', 'bobs-auditor', aliceId, {
      cluster: { name: 'bobs' },
      name: 'auditor',
      login: true,
      passwordSecret: { name: 'bobs-auditor-password' },
    });
    await modern.stack.admin.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: {
          name: 'bobs-auditor-password',
          labels: { [OWNER_LABEL]: aliceId, 'app.kubernetes.io/managed-by': 'cnpg-mcp' },
          annotations: { 'cnpg-mcp.io/role': 'auditor' },
        },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'auditor', password: 'alices-secret-password' },
      },
    });
    await plant(modern, 'databases', 'Database', 'bobs-audit', aliceId, {
      cluster: { name: 'bobs' },
      name: 'audit',
      owner: 'auditor',
    });
    await modern.stack.kube.settle();
    const objects: [string, string][] = [
      ['databaseroles', 'bobs-auditor'],
      ['databases', 'bobs-audit'],
    ];
    const before = await fingerprint(modern, objects, ['bobs-auditor-password']);
    const role = { cluster: 'bobs', name: 'auditor' };
    const db = { cluster: 'bobs', name: 'audit' };
    const hers = /rule ownership.*created by devstack-alice-/s;
    await attempts.try(modern.bob, 'role_update', { ...role, login: false }, hers);
    await attempts.try(modern.bob, 'role_rotate_password', role, hers);
    await attempts.try(modern.bob, 'role_delete', { ...role, confirm: 'auditor' }, hers);
    await attempts.try(modern.bob, 'database_update', { ...db, owner: 'bob' }, hers);
    await attempts.try(modern.bob, 'database_delete', { ...db, confirm: 'audit' }, hers);
    await modern.stack.kube.settle();
    assert.deepEqual(await fingerprint(modern, objects, ['bobs-auditor-password']), before);
    attempts.assertRefused();
  });

  for (const mode of ['1.30', '1.29'] as const) {
    test(
      `a role named so that its objects take her names gets bob nothing (CNPG ${mode})`,
      only(mode),
      async () => {
        const attempts = new Attempts();
        // Object names join cluster and role: alice's sales-eu/reporting and bob's sales/eu_reporting
        // both make sales-eu-reporting(-password). A create never replaces what exists.
        const side = mode === '1.30' ? modern : legacy;
        await cluster(side.alice, 'sales-eu');
        await ok(side.alice, 'role_create', { cluster: 'sales-eu', name: 'reporting' });
        await cluster(side.bob, 'sales');
        await side.stack.kube.settle();
        const hers: [string, string][] = mode === '1.30' ? [['databaseroles', 'sales-eu-reporting']] : [];
        const before = await fingerprint(side, hers, ['sales-eu-reporting-password']);
        const squat = { cluster: 'sales', name: 'eu_reporting' };
        await attempts.try(side.bob, 'role_create', squat, /already exists/);
        if (mode === '1.29') {
          // A role without a password, then a rotation that would create its Secret under her name.
          await ok(side.bob, 'role_create', { ...squat, disable_password: true });
          await attempts.try(side.bob, 'role_rotate_password', squat, /already exists/);
          const bobs = (await getCr(side, 'clusters', 'sales')).spec.managed.roles;
          assert.equal(bobs[0].passwordSecret, undefined, 'his role was not pointed at her Secret');
        } else {
          await attempts.try(side.bob, 'role_create', { ...squat, disable_password: true }, /already exists/);
        }
        await side.stack.kube.settle();
        assert.deepEqual(await fingerprint(side, hers, ['sales-eu-reporting-password']), before);
        assert.equal(
          (await getSecret(side, 'sales-eu-reporting-password')).metadata.labels[OWNER_LABEL],
          side.aliceId,
        );
        attempts.assertRefused();
      },
    );
  }
});

describe('dangerous role power is a policy decision', () => {
  const powers: [string, Record<string, unknown>, string][] = [
    ['superuser', { superuser: true }, 'roleAttributes.superuser'],
    ['replication', { replication: true }, 'roleAttributes.replication'],
    ['bypassrls', { bypassrls: true }, 'roleAttributes.bypassrls'],
    ['createrole', { createrole: true }, 'roleAttributes.createrole'],
    ['pg_execute_server_program', { in_roles: ['pg_execute_server_program'] }, 'roleAttributes.memberOf'],
  ];
  /** The refusal: rule roleAttributes, naming the policy key that would allow it. */
  const namingKey = (key: string) =>
    new RegExp(`rule roleAttributes.*policy key.*${key.replace('.', '\\.')}`, 's');

  for (const mode of ['1.30', '1.29'] as const) {
    test(
      `on her own cluster, alice cannot create a role with any of them; nothing is written (CNPG ${mode})`,
      only(mode),
      async () => {
        const attempts = new Attempts();
        const side = mode === '1.30' ? modern : legacy;
        const before = await fingerprint(side, [['clusters', 'ledger']], []);
        for (const [power, args, key] of powers) {
          const name = `power_${power}`;
          const objectName = `ledger-power-${power.replace(/_/g, '-')}`;
          for (const dryRun of [false, true]) {
            await attempts.try(
              side.alice,
              'role_create',
              { cluster: 'ledger', name, ...args, dry_run: dryRun },
              namingKey(key),
            );
          }
          assert.equal(
            await getCr(side, 'databaseroles', objectName),
            undefined,
            `no DatabaseRole for ${power}`,
          );
          assert.equal(await getSecret(side, `${objectName}-password`), undefined, `no Secret for ${power}`);
        }
        assert.deepEqual(
          await fingerprint(side, [['clusters', 'ledger']], []),
          before,
          'no managed.roles entry',
        );
        attempts.assertRefused();
      },
    );

    test(`role_update cannot grant them to her existing role either (CNPG ${mode})`, only(mode), async () => {
      const attempts = new Attempts();
      const side = mode === '1.30' ? modern : legacy;
      const objects: [string, string][] =
        mode === '1.30' ? [['databaseroles', 'ledger-reporting']] : [['clusters', 'ledger']];
      const before = await fingerprint(side, objects, []);
      for (const [, args, key] of powers) {
        await attempts.try(
          side.alice,
          'role_update',
          { cluster: 'ledger', name: 'reporting', comment: 'harmless', ...args },
          namingKey(key),
        );
      }
      await side.stack.kube.settle();
      assert.deepEqual(await fingerprint(side, objects, []), before);
      attempts.assertRefused();
    });
  }

  test('the policy key opens the power it names, and only that one', async () => {
    const attempts = new Attempts();
    await ok(aliceSuperuserOk, 'role_create', { cluster: 'ledger', name: 'dba', superuser: true });
    assert.equal((await getCr(modern, 'databaseroles', 'ledger-dba'))?.spec.superuser, true);
    await attempts.try(
      aliceSuperuserOk,
      'role_create',
      { cluster: 'ledger', name: 'streamer', replication: true },
      /roleAttributes\.replication/,
    );
    assert.equal(await getCr(modern, 'databaseroles', 'ledger-streamer'), undefined);
    // Harmless predefined roles stay open to everyone.
    await ok(modern.alice, 'role_create', { cluster: 'ledger', name: 'monitor', in_roles: ['pg_monitor'] });
    attempts.assertRefused();
  });
});

describe('untrusted extensions are a policy decision', () => {
  // CloudNativePG creates a Database's extensions as the superuser: plpython3u, file_fdw or dblink
  // would give the database's owner programs, files and connections of the PostgreSQL container.
  const untrusted = ['plpython3u', 'file_fdw', 'dblink'];
  const namingKey = /rule extensions.*policy key extensions\.allowed/s;

  test('on her own cluster, alice cannot declare a database with one, nor add one to hers; nothing is written', async () => {
    const attempts = new Attempts();
    const before = await fingerprint(modern, [['databases', 'ledger-shop']], []);
    for (const name of untrusted) {
      for (const dryRun of [false, true]) {
        await attempts.try(
          modern.alice,
          'database_create',
          {
            cluster: 'ledger',
            name: `with_${name}`,
            owner: 'reporting',
            extensions: [{ name }],
            dry_run: dryRun,
          },
          namingKey,
        );
      }
      assert.equal(
        await getCr(modern, 'databases', `ledger-with-${name.replace(/_/g, '-')}`),
        undefined,
        `no Database with ${name}`,
      );
      await attempts.try(
        modern.alice,
        'database_update',
        { cluster: 'ledger', name: 'shop', extensions: [{ name: 'hstore' }, { name }] },
        namingKey,
      );
    }
    await modern.stack.kube.settle();
    assert.deepEqual(
      await fingerprint(modern, [['databases', 'ledger-shop']], []),
      before,
      'her Database is unchanged',
    );
    attempts.assertRefused();
  });

  test('trusted extensions stay open, and the policy key opens the extension it names, and only that one', async () => {
    await ok(modern.alice, 'database_update', {
      cluster: 'ledger',
      name: 'shop',
      extensions: [{ name: 'pg_trgm' }],
    });
    const opened = await modern.stack.startApi({
      env: { DEFAULT_NAMESPACE: NS },
      policy: { ...POLICY, extensions: { allowed: ['trusted', 'dblink'] } },
    });
    const alice = await connectClient(opened, await modern.stack.tokenFor('alice'));
    const attempts = new Attempts();
    try {
      await ok(alice, 'database_update', {
        cluster: 'ledger',
        name: 'shop',
        extensions: [{ name: 'dblink' }],
      });
      await attempts.try(
        alice,
        'database_update',
        { cluster: 'ledger', name: 'shop', extensions: [{ name: 'file_fdw' }] },
        /only an admin may create the extension file_fdw/,
      );
    } finally {
      await alice.close();
    }
    const names = (await getCr(modern, 'databases', 'ledger-shop'))?.spec.extensions.map(
      (e: Loose) => e.name,
    );
    assert.deepEqual(names, ['pg_trgm', 'dblink']);
    attempts.assertRefused();
  });
});

describe('a role’s DatabaseRole, its database and password Secrets go with the cluster', () => {
  /** Who owns each object now, as `Kind/name/uid` of its owner references. */
  async function ownersOf(objects: (Loose | undefined)[]) {
    return objects.map((o) => [
      o?.metadata.name,
      (o?.metadata.ownerReferences ?? []).map((r: Loose) => `${r.kind}/${r.name}/${r.uid}`),
    ]);
  }

  test('CNPG 1.30: DatabaseRoles, a Database and the password Secrets, one made later by role_rotate_password', async () => {
    await cluster(modern.alice, 'scratch');
    const uid = (await getCr(modern, 'clusters', 'scratch')).metadata.uid;
    await ok(modern.alice, 'role_create', { cluster: 'scratch', name: 'worker' });
    await ok(modern.alice, 'role_create', { cluster: 'scratch', name: 'later', disable_password: true });
    await ok(modern.alice, 'role_rotate_password', { cluster: 'scratch', name: 'later' });
    await ok(modern.alice, 'database_create', { cluster: 'scratch', name: 'work', owner: 'worker' });
    const objects: [string, string][] = [
      ['databaseroles', 'scratch-worker'],
      ['databaseroles', 'scratch-later'],
      ['databases', 'scratch-work'],
    ];
    const secrets = ['scratch-worker-password', 'scratch-later-password'];
    const owners = await ownersOf([
      ...(await Promise.all(objects.map(([plural, name]) => getCr(modern, plural, name)))),
      ...(await Promise.all(secrets.map((name) => getSecret(modern, name)))),
    ]);
    await ok(modern.alice, 'cluster_delete', { name: 'scratch', confirm: 'scratch' });
    await modern.stack.kube.settle();
    for (const [plural, name] of objects) {
      assert.equal(await getCr(modern, plural, name), undefined, `${plural}/${name} went with the cluster`);
    }
    for (const name of secrets) {
      assert.equal(await getSecret(modern, name), undefined, `Secret ${name} went with the cluster`);
    }
    for (const [name, references] of owners) {
      assert.deepEqual(references, [`Cluster/scratch/${uid}`], `${name} was owned by its cluster`);
    }
  });

  test(
    'CNPG 1.29: a managed role’s password Secrets go with the cluster; bob’s cluster of the name gets nothing of hers',
    emulated129,
    async () => {
      const attempts = new Attempts();
      await cluster(legacy.alice, 'scratch');
      const uid = (await getCr(legacy, 'clusters', 'scratch')).metadata.uid;
      await ok(legacy.alice, 'role_create', { cluster: 'scratch', name: 'worker' });
      await ok(legacy.alice, 'role_create', { cluster: 'scratch', name: 'later', disable_password: true });
      await ok(legacy.alice, 'role_rotate_password', { cluster: 'scratch', name: 'later' });
      const secrets = ['scratch-worker-password', 'scratch-later-password'];
      const owners = await ownersOf(await Promise.all(secrets.map((name) => getSecret(legacy, name))));
      await ok(legacy.alice, 'cluster_delete', { name: 'scratch', confirm: 'scratch' });
      await legacy.stack.kube.settle();
      for (const name of secrets) {
        assert.equal(await getSecret(legacy, name), undefined, `Secret ${name} went with the cluster`);
      }
      for (const [name, references] of owners) {
        assert.deepEqual(references, [`Cluster/scratch/${uid}`], `${name} was owned by its cluster`);
      }
      await cluster(legacy.bob, 'scratch');
      await legacy.stack.kube.settle();
      assert.equal((await getCr(legacy, 'clusters', 'scratch')).spec.managed, undefined, 'no roles of hers');
      await attempts.try(
        legacy.bob,
        'credential_reveal',
        { cluster: 'scratch', name: 'worker' },
        /not declared/,
      );
      attempts.assertRefused();
    },
  );
});
