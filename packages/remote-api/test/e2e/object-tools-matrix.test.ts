/**
 * Every role, database, backup, pooler, observability, credential and logical-replication tool,
 * driven the same way: bad input, a forbidden namespace, a missing target, a dry run and (for
 * destructive tools) a wrong confirmation. None of these may change anything in Kubernetes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { objectTools, type ToolDefinition } from '@cnpg-mcp/catalog';
import {
  adminPatch,
  aliceCluster,
  call,
  listCr,
  NS,
  type ObjectsEnv,
  OTHER_NS,
  ok,
  startObjectsEnv,
  textOf,
} from '../support/objects-support.js';

let env: ObjectsEnv;
const C = 'pg-m';

interface Case {
  /** Valid arguments naming objects that exist (used for the dry run and the confirmation). */
  valid: Record<string, unknown>;
  /** Valid arguments naming something that does not exist; omitted for list tools. */
  missing?: Record<string, unknown>;
  /** One field set to a value the schema refuses. */
  bad: [string, unknown];
  /** Why a write tool's dry run is not exercised here (it needs state this matrix does not make). */
  dryRunElsewhere?: string;
}

const CASES: Record<string, Case> = {
  cluster_pods: { valid: { name: C }, missing: { name: 'pg-ghost' }, bad: ['name', 'Bad'] },
  cluster_events: { valid: { name: C }, missing: { name: 'pg-ghost' }, bad: ['limit', 0] },
  cluster_logs: { valid: { name: C }, missing: { name: 'pg-ghost' }, bad: ['tail', 0] },
  cluster_connection_info: { valid: { name: C }, missing: { name: 'pg-ghost' }, bad: ['name', '1x'] },
  credential_reveal: { valid: { cluster: C }, missing: { cluster: C, name: 'ghost' }, bad: ['name', 'pg_x'] },
  role_list: { valid: { cluster: C }, missing: { cluster: 'pg-ghost' }, bad: ['cluster', 'X'] },
  role_get: {
    valid: { cluster: C, name: 'r0' },
    missing: { cluster: C, name: 'ghost' },
    bad: ['name', 'postgres'],
  },
  role_create: {
    valid: { cluster: C, name: 'r1' },
    missing: { cluster: 'pg-ghost', name: 'r1' },
    bad: ['password_length', 8],
  },
  role_update: {
    valid: { cluster: C, name: 'r0', login: false },
    missing: { cluster: C, name: 'ghost', login: false },
    bad: ['connection_limit', -2],
  },
  role_rotate_password: {
    valid: { cluster: C, name: 'r0' },
    missing: { cluster: C, name: 'ghost' },
    bad: ['password_length', 200],
  },
  role_delete: {
    valid: { cluster: C, name: 'r0', confirm: 'r0' },
    missing: { cluster: C, name: 'ghost', confirm: 'ghost' },
    bad: ['confirm', ''],
  },
  database_list: { valid: {}, bad: ['cluster', 'X'] },
  database_get: {
    valid: { cluster: C, name: 'd0' },
    missing: { cluster: C, name: 'ghost' },
    bad: ['name', 'template0'],
  },
  database_create: {
    valid: { cluster: C, name: 'd1', owner: 'r0' },
    missing: { cluster: 'pg-ghost', name: 'd1', owner: 'r0' },
    bad: ['reclaim_policy', 'keep'],
  },
  database_update: {
    valid: { cluster: C, name: 'd0', connection_limit: 5 },
    missing: { cluster: C, name: 'ghost', connection_limit: 5 },
    bad: ['connection_limit', 'many'],
  },
  database_delete: {
    valid: { cluster: C, name: 'd0', confirm: 'd0', drop: true },
    missing: { cluster: C, name: 'ghost', confirm: 'ghost' },
    bad: ['drop', 'yes'],
  },
  backup_create: { valid: { cluster: C }, missing: { cluster: 'pg-ghost' }, bad: ['target', 'replica'] },
  backup_list: { valid: {}, bad: ['cluster', ''] },
  backup_get: { valid: { name: 'b0' }, missing: { name: 'ghost' }, bad: ['detail', 'full'] },
  backup_wait: { valid: { name: 'b0' }, missing: { name: 'ghost' }, bad: ['timeout_seconds', 1] },
  backup_delete: {
    valid: { name: 'b0', confirm: 'b0' },
    missing: { name: 'ghost', confirm: 'ghost' },
    bad: ['name', 'B0'],
  },
  scheduled_backup_create: {
    valid: { cluster: C, name: 's1', schedule: '0 0 3 * * *' },
    missing: { cluster: 'pg-ghost', name: 's1', schedule: '0 0 3 * * *' },
    bad: ['schedule', '* * *'],
  },
  scheduled_backup_list: { valid: {}, bad: ['cluster', 'X'] },
  scheduled_backup_suspend: { valid: { name: 's0' }, missing: { name: 'ghost' }, bad: ['dry_run', 'no'] },
  scheduled_backup_resume: { valid: { name: 's0' }, missing: { name: 'ghost' }, bad: ['name', ''] },
  scheduled_backup_delete: {
    valid: { name: 's0', confirm: 's0' },
    missing: { name: 'ghost', confirm: 'ghost' },
    bad: ['confirm', 7],
  },
  backup_restore: {
    valid: { name: 'pg-copy', backup: 'b0', target_lsn: '0/3000060' },
    missing: { name: 'pg-copy', backup: 'ghost' },
    bad: ['target_xid', 'abc'],
  },
  backup_destination_get: { valid: { cluster: C }, missing: { cluster: 'pg-ghost' }, bad: ['cluster', 'X'] },
  backup_destination_set: {
    valid: { cluster: C, volume_snapshot_class: 'csi-snapshots' },
    missing: { cluster: 'pg-ghost', volume_snapshot_class: 'csi-snapshots' },
    bad: ['volume_snapshot_class', 'Bad_Class'],
  },
  backup_restore_from_store: {
    valid: { name: 'pg-copy2', object_store: 'ghost-store', server_name: C, storage_size: '1Gi' },
    missing: { name: 'pg-copy2', object_store: 'ghost-store', server_name: C, storage_size: '1Gi' },
    bad: ['target_xid', 'abc'],
    dryRunElsewhere:
      'needs an ObjectStore holding an archive of a cluster of the caller: backups-destinations.test.ts',
  },
  pooler_list: { valid: {}, bad: ['cluster', 'X'] },
  pooler_get: { valid: { name: 'p0' }, missing: { name: 'ghost' }, bad: ['name', '-p'] },
  pooler_create: {
    valid: { name: 'p1', cluster: C },
    missing: { name: 'p1', cluster: 'pg-ghost' },
    bad: ['type', 'rx'],
  },
  pooler_update: {
    valid: { name: 'p0', paused: true },
    missing: { name: 'ghost', paused: true },
    bad: ['pool_mode', 'x'],
  },
  pooler_scale: {
    valid: { name: 'p0', instances: 3 },
    missing: { name: 'ghost', instances: 3 },
    bad: ['instances', -1],
  },
  pooler_delete: {
    valid: { name: 'p0', confirm: 'p0' },
    missing: { name: 'ghost', confirm: 'ghost' },
    bad: ['name', 'P'],
  },
  publication_list: { valid: {}, bad: ['cluster', 'X'] },
  publication_create: {
    valid: { cluster: C, name: 'pub1', database: 'app', all_tables: true },
    missing: { cluster: 'pg-ghost', name: 'pub1', database: 'app', all_tables: true },
    bad: ['database', 'postgres'],
  },
  publication_delete: {
    valid: { cluster: C, name: 'pub0', confirm: 'pub0' },
    missing: { cluster: C, name: 'ghost', confirm: 'ghost' },
    bad: ['name', 'Pub'],
  },
  subscription_list: { valid: {}, bad: ['cluster', 'X'] },
  subscription_create: {
    valid: { cluster: C, name: 'sub1', database: 'app', publication: 'pub0', external_cluster: 'src' },
    missing: {
      cluster: 'pg-ghost',
      name: 'sub1',
      database: 'app',
      publication: 'pub0',
      external_cluster: 'src',
    },
    bad: ['external_cluster', 'A B'],
  },
  subscription_delete: {
    valid: { cluster: C, name: 'sub0', confirm: 'sub0' },
    missing: { cluster: C, name: 'ghost', confirm: 'ghost' },
    bad: ['confirm', ''],
  },
};

const PLURALS = [
  'clusters',
  'backups',
  'scheduledbackups',
  'poolers',
  'databases',
  'publications',
  'subscriptions',
  'databaseroles',
];

/** Specs, labels and annotations of every CNPG object and the data of every Secret in the namespace. */
async function snapshot(): Promise<string> {
  await env.kube.settle();
  const state: Record<string, unknown> = {};
  for (const plural of PLURALS) {
    for (const item of await listCr(env, plural)) {
      state[`${plural}/${item.metadata.name}`] = [item.spec, item.metadata.labels, item.metadata.annotations];
    }
  }
  for (const secret of (await env.core.listNamespacedSecret({ namespace: NS })).items) {
    state[`secrets/${secret.metadata?.name}`] = secret.data;
  }
  return JSON.stringify(Object.entries(state).sort(([a], [b]) => a.localeCompare(b)));
}

before(async () => {
  env = await startObjectsEnv();
  await aliceCluster(env, C);
  // An administrator makes the Barman Cloud ObjectStore the cluster archives to.
  await env.custom.createNamespacedCustomObject({
    group: 'barmancloud.cnpg.io',
    version: 'v1',
    namespace: NS,
    plural: 'objectstores',
    body: {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 's' },
      spec: { configuration: { destinationPath: 's3://backups/' } },
    },
  });
  await adminPatch(env, 'clusters', C, {
    spec: {
      plugins: [
        {
          name: 'barman-cloud.cloudnative-pg.io',
          isWALArchiver: true,
          parameters: { barmanObjectName: 's' },
        },
      ],
      externalClusters: [{ name: 'src', connectionParameters: { host: 'elsewhere', dbname: 'app' } }],
    },
  });
  await ok(env.alice, 'role_create', { cluster: C, name: 'r0' });
  await ok(env.alice, 'database_create', { cluster: C, name: 'd0', owner: 'r0' });
  await ok(env.alice, 'backup_create', { cluster: C, name: 'b0', wait: true, wait_timeout_seconds: 30 });
  await ok(env.alice, 'scheduled_backup_create', { cluster: C, name: 's0', schedule: '0 0 2 * * *' });
  await ok(env.alice, 'pooler_create', { name: 'p0', cluster: C });
  await ok(env.alice, 'publication_create', { cluster: C, name: 'pub0', database: 'app', all_tables: true });
  await ok(env.alice, 'subscription_create', {
    cluster: C,
    name: 'sub0',
    database: 'app',
    publication: 'pub0',
    external_cluster: 'src',
  });
});

after(async () => {
  await env?.close();
});

test('the matrix covers every object tool of the catalogue', () => {
  assert.deepEqual(Object.keys(CASES).sort(), objectTools.map((t) => t.name).sort());
});

describe('refusals change nothing', () => {
  let before: string;

  test('state before', async () => {
    before = await snapshot();
    // The snapshot holds full specs and secret data, so any write would show.
    assert.match(before, /"databases\/pg-m-d0",\[\{[^\]]*"owner":"r0"/);
    assert.match(before, /"secrets\/pg-m-r0-password",\{[^}]*"password":"[A-Za-z0-9+/=]{20,}"/);
  });

  for (const tool of objectTools as readonly ToolDefinition[]) {
    const c = CASES[tool.name]!;
    test(`${tool.name}: bad input names the field`, async () => {
      const [field, value] = c.bad;
      const result = await call(env.alice, tool.name, { ...c.valid, [field]: value });
      assert.equal(result.isError, true);
      assert.match(textOf(result), new RegExp(`Invalid input for ${tool.name}; nothing was written`));
      assert.match(textOf(result), new RegExp(`- ${field}:`));
    });

    test(`${tool.name}: a namespace outside the policy is refused`, async () => {
      const result = await call(env.alice, tool.name, { ...c.valid, namespace: OTHER_NS });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /Denied by policy \(rule namespace\)/);
    });

    if (c.missing) {
      const missing = c.missing;
      test(`${tool.name}: a missing target is reported as not found`, async () => {
        const result = await call(env.alice, tool.name, missing);
        assert.equal(result.isError, true);
        assert.match(textOf(result), /not found|not declared|no Database object/);
      });
    }

    if (tool.requiredScope === 'write' && !c.dryRunElsewhere) {
      test(`${tool.name}: dry run succeeds on the server and writes nothing`, async () => {
        const result = await call(env.alice, tool.name, { ...c.valid, dry_run: true });
        assert.ok(!result.isError, textOf(result));
        assert.equal((result.structuredContent as { dryRun: boolean }).dryRun, true);
        assert.match(textOf(result), /Dry run/);
      });
    }

    if (tool.confirmField) {
      test(`${tool.name}: a wrong confirmation is refused`, async () => {
        const result = await call(env.alice, tool.name, { ...c.valid, confirm: 'something-else' });
        assert.equal(result.isError, true);
        assert.match(textOf(result), /confirmation required/);
      });
    }
  }

  test('state after: unchanged', async () => {
    assert.equal(await snapshot(), before);
  });
});
