/**
 * The quota ledger against the Kubernetes emulator on loopback: concurrent reservations, two
 * replicas with their own connections, expiry, release, dry run, and that the ledger is written
 * as the remote's service account while clusters are counted as the caller.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { type KubeEmulator, startKubeEmulator } from '../../../devstack/src/index.js';
import { type Identity, identityFromClaims, OWNER_LABEL } from '../../src/identity.js';
import { Kube, loadKubeConfig } from '../../src/kube/client.js';
import { KubeError } from '../../src/kube/errors.js';
import type { Logger } from '../../src/log.js';
import { accessFor, PolicyDenied, policySchema } from '../../src/policy.js';
import { type QuotaCaller, reserveCluster } from '../../src/quota/cluster-quota.js';
import { ledgerName, QuotaLedger, type QuotaLedgerOptions } from '../../src/quota/ledger.js';
import { parseReservations } from '../../src/quota/ledger-format.js';

const NS = 'team-a';
const OTHER_NS = 'team-b';
const LEDGER_NS = 'cnpg-mcp';
const ISSUER = 'http://127.0.0.1:1/';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
const MINUTE = 60_000;

const warnings: string[] = [];
const log: Logger = {
  debug() {},
  info() {},
  warn: (msg) => void warnings.push(msg),
  error: (msg) => void warnings.push(msg),
};

const identityOf = (name: string): Identity =>
  identityFromClaims(
    { iss: ISSUER, sub: `sub-${name}`, preferred_username: name },
    ['mcp:read', 'mcp:write'],
    'groups',
  );

describe('the quota ledger in the Kubernetes API', () => {
  let emulator: KubeEmulator;
  /** Stands in for kubectl: checks, and making clusters as the tool would. */
  let admin: { core: CoreV1Api; custom: CustomObjectsApi };
  let kube: Kube;
  let run = 0;

  before(async () => {
    emulator = await startKubeEmulator({ namespaces: [NS, OTHER_NS, LEDGER_NS], stepDelayMs: 1 });
    const kc = new KubeConfig();
    kc.loadFromFile(emulator.kubeconfigPath);
    admin = { core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
    kube = replica();
  });
  after(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    run += 1;
    warnings.length = 0;
  });

  /** A remote-api replica's Kubernetes clients: its own KubeConfig and connections. */
  function replica(impersonation: 'off' | 'user-id' = 'off'): Kube {
    return new Kube(loadKubeConfig(emulator.kubeconfigPath, undefined), impersonation);
  }

  function ledgerOf(from: Kube, options: Partial<QuotaLedgerOptions> = {}): QuotaLedger {
    return new QuotaLedger(from.serviceApis().core, {
      namespace: LEDGER_NS,
      reservationMs: 2 * MINUTE,
      log,
      ...options,
    });
  }

  /** A user with a clustersPerUser quota, as the tools see them. Each test gets fresh people. */
  function person(name: string, clustersPerUser: number, from: Kube = kube): QuotaCaller {
    const identity = identityOf(`${name}-${run}`);
    const policy = policySchema.parse({ quotas: { clustersPerUser } });
    return {
      identity,
      access: accessFor(policy, identity, [NS, OTHER_NS], true, 'mcp:write'),
      kube: from.apisFor(identity),
    };
  }

  const clusterBody = (who: QuotaCaller, name: string, size = '1Gi') => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name, labels: { [OWNER_LABEL]: who.identity.userId } },
    spec: { instances: 1, storage: { size } },
  });

  /** What cluster_create does around its write: reserve, create, confirm (or release on failure). */
  async function createWithQuota(
    ledger: QuotaLedger,
    who: QuotaCaller,
    name: string,
    namespace = NS,
  ): Promise<'created' | 'denied'> {
    let reservation: Awaited<ReturnType<typeof reserveCluster>>;
    try {
      reservation = await reserveCluster(ledger, who, { namespace, name, dryRun: false });
    } catch (error) {
      if (error instanceof PolicyDenied && error.rule === 'quota.clustersPerUser') return 'denied';
      throw error;
    }
    try {
      await admin.custom.createNamespacedCustomObject({
        ...CNPG,
        namespace,
        plural: 'clusters',
        body: clusterBody(who, name),
      });
    } catch (error) {
      await reservation.release();
      throw error;
    }
    await reservation.confirm();
    return 'created';
  }

  async function clustersOf(who: QuotaCaller): Promise<string[]> {
    const list = (await admin.custom.listClusterCustomObject({
      ...CNPG,
      plural: 'clusters',
      labelSelector: `${OWNER_LABEL}=${who.identity.userId}`,
    })) as { items: { metadata: { namespace: string; name: string } }[] };
    return list.items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort();
  }

  async function ledgerConfigMap(who: QuotaCaller): Promise<V1ConfigMap | undefined> {
    return admin.core
      .readNamespacedConfigMap({ namespace: LEDGER_NS, name: ledgerName(who.identity.userId) })
      .catch((error: { code?: number }) => {
        if (error.code === 404) return undefined;
        throw error;
      });
  }

  async function pendingKeys(who: QuotaCaller): Promise<string[]> {
    const configMap = await ledgerConfigMap(who);
    return configMap
      ? parseReservations(configMap)
          .map((r) => r.key)
          .sort()
      : [];
  }

  const settled = <T>(calls: Promise<T>[]) => Promise.allSettled(calls);
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  test('12 concurrent reservations against a quota of 5: exactly 5 granted, the ledger holds those 5', async () => {
    const alice = person('alice', 5);
    const ledger = ledgerOf(kube);
    const results = await settled(
      names('pg', 12).map((name) => reserveCluster(ledger, alice, { namespace: NS, name, dryRun: false })),
    );
    const granted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    assert.equal(granted.length, 5);
    assert.equal(refused.length, 7);
    for (const reason of refused) {
      assert.ok(reason instanceof PolicyDenied && reason.rule === 'quota.clustersPerUser', String(reason));
      assert.match(reason.message, /you already have 0 cluster\(s\) and 5 being created; your quota is 5/);
    }
    const pending = await pendingKeys(alice);
    assert.equal(pending.length, 5);
    assert.equal(new Set(pending).size, 5);
    const configMap = await ledgerConfigMap(alice);
    assert.deepEqual(configMap?.metadata?.labels, {
      'app.kubernetes.io/managed-by': 'cnpg-mcp',
      'app.kubernetes.io/component': 'quota-ledger',
      'cnpg-mcp.io/quota-subject': alice.identity.userId,
    });
  });

  test('12 concurrent create flows against a quota of 5: exactly 5 clusters exist, no reservation is left', async () => {
    const alice = person('alice', 5);
    const ledger = ledgerOf(kube);
    const outcomes = await Promise.all(names('db', 12).map((name) => createWithQuota(ledger, alice, name)));
    assert.equal(outcomes.filter((o) => o === 'created').length, 5);
    assert.equal((await clustersOf(alice)).length, 5, 'clusters in the Kubernetes API');
    assert.deepEqual(await pendingKeys(alice), []);
    assert.equal(await createWithQuota(ledger, alice, 'one-more'), 'denied');
    assert.equal((await clustersOf(alice)).length, 5);
    assert.deepEqual(warnings, []);
  });

  test('two replicas, each with its own connections, racing: still exactly the quota', async () => {
    const replicaA = replica();
    const replicaB = replica();
    const viaA = person('carol', 5, replicaA);
    const viaB = { ...viaA, kube: replicaB.apisFor(viaA.identity) };
    const ledgerA = ledgerOf(replicaA);
    const ledgerB = ledgerOf(replicaB);
    const outcomes = await Promise.all(
      names('r', 12).map((name, i) =>
        i % 2 === 0 ? createWithQuota(ledgerA, viaA, name) : createWithQuota(ledgerB, viaB, name, OTHER_NS),
      ),
    );
    assert.equal(outcomes.filter((o) => o === 'created').length, 5);
    const made = await clustersOf(viaA);
    assert.equal(made.length, 5, 'clusters in the Kubernetes API, across both namespaces');
    // Which creates win the race is chance; either replica, in either namespace, now counts all 5.
    assert.equal(await createWithQuota(ledgerA, viaA, 'one-more'), 'denied');
    assert.equal(await createWithQuota(ledgerB, viaB, 'one-more', OTHER_NS), 'denied');
  });

  test('existing clusters count, in every namespace the person may use', async () => {
    const dave = person('dave', 3);
    for (const [namespace, name] of [
      [NS, 'old-1'],
      [OTHER_NS, 'old-2'],
    ] as const) {
      await admin.custom.createNamespacedCustomObject({
        ...CNPG,
        namespace,
        plural: 'clusters',
        body: clusterBody(dave, name),
      });
    }
    const ledger = ledgerOf(kube);
    assert.equal(await createWithQuota(ledger, dave, 'third'), 'created');
    await assert.rejects(
      reserveCluster(ledger, dave, { namespace: NS, name: 'fourth', dryRun: false }),
      (error: unknown) =>
        error instanceof PolicyDenied &&
        /you already have 3 cluster\(s\); your quota is 3/.test(error.message),
    );
  });

  test('another person’s reservations do not use up my quota', async () => {
    const erin = person('erin', 2);
    const frank = person('frank', 2);
    const ledger = ledgerOf(kube);
    for (const name of ['f1', 'f2'])
      await reserveCluster(ledger, frank, { namespace: NS, name, dryRun: false });
    await reserveCluster(ledger, erin, { namespace: NS, name: 'e1', dryRun: false });
    await reserveCluster(ledger, erin, { namespace: NS, name: 'e2', dryRun: false });
    assert.deepEqual(await pendingKeys(erin), [`${NS}/e1`, `${NS}/e2`]);
    assert.deepEqual(await pendingKeys(frank), [`${NS}/f1`, `${NS}/f2`]);
  });

  test('a reservation nobody settles (a crashed replica) lapses after its time', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const grace = person('grace', 2);
    const ledger = ledgerOf(kube, { now: () => now, reservationMs: 2 * MINUTE });
    await reserveCluster(ledger, grace, { namespace: NS, name: 'a', dryRun: false });
    await reserveCluster(ledger, grace, { namespace: NS, name: 'b', dryRun: false });
    now += 2 * MINUTE - 1;
    await assert.rejects(
      reserveCluster(ledger, grace, { namespace: NS, name: 'c', dryRun: false }),
      /and 2 being created; your quota is 2/,
    );
    now += 1;
    await reserveCluster(ledger, grace, { namespace: NS, name: 'c', dryRun: false });
    assert.deepEqual(await pendingKeys(grace), [`${NS}/c`], 'the lapsed reservations were removed');
  });

  test('a failed create releases its reservation at once', async () => {
    const heidi = person('heidi', 1);
    const ledger = ledgerOf(kube);
    await assert.rejects(
      (async () => {
        const reservation = await reserveCluster(ledger, heidi, {
          namespace: NS,
          name: 'bad',
          dryRun: false,
        });
        assert.deepEqual(await pendingKeys(heidi), [`${NS}/bad`]);
        try {
          await admin.custom.createNamespacedCustomObject({
            ...CNPG,
            namespace: NS,
            plural: 'clusters',
            body: clusterBody(heidi, 'bad', 'a lot'),
          });
        } catch (error) {
          await reservation.release();
          throw error;
        }
      })(),
      (error: { code?: number }) => error.code === 422,
    );
    assert.deepEqual(await clustersOf(heidi), []);
    assert.deepEqual(await pendingKeys(heidi), []);
    assert.equal(await createWithQuota(ledger, heidi, 'good'), 'created');
  });

  test('a dry run decides without writing the ledger', async () => {
    const ivan = person('ivan', 1);
    const ledger = ledgerOf(kube);
    const reservation = await reserveCluster(ledger, ivan, { namespace: NS, name: 'x', dryRun: true });
    assert.equal(await ledgerConfigMap(ivan), undefined, 'no ConfigMap was created');
    await reservation.release();
    await reserveCluster(ledger, ivan, { namespace: NS, name: 'y', dryRun: false });
    const before = (await ledgerConfigMap(ivan))?.metadata?.resourceVersion;
    await assert.rejects(
      reserveCluster(ledger, ivan, { namespace: NS, name: 'z', dryRun: true }),
      (error: unknown) => error instanceof PolicyDenied,
    );
    assert.equal((await ledgerConfigMap(ivan))?.metadata?.resourceVersion, before);
  });

  test('no quota, no ledger: admins and unlimited policies write nothing', async () => {
    const judy = person('judy', 1);
    const unlimited: QuotaCaller = { ...judy, access: { ...judy.access, quotas: {} } };
    const reservation = await reserveCluster(ledgerOf(kube), unlimited, {
      namespace: NS,
      name: 'a',
      dryRun: false,
    });
    await reservation.confirm();
    assert.equal(await ledgerConfigMap(judy), undefined);
  });

  test('a write between reading the ledger and writing it makes the reservation start over (compare-and-swap)', async () => {
    const ken = person('ken', 2);
    const ledger = ledgerOf(kube);
    // Makes the ledger ConfigMap exist, empty.
    await (await reserveCluster(ledger, ken, { namespace: NS, name: 'first', dryRun: false })).release();
    let attempts = 0;
    const interfered = withWriterDuringCount(ken, () => {
      attempts += 1;
      return attempts <= 2;
    });
    await reserveCluster(ledger, interfered, { namespace: NS, name: 'second', dryRun: false });
    assert.equal(attempts, 3, 'attempts 1 and 2 met a concurrent write; attempt 3 won');
    assert.deepEqual(await pendingKeys(ken), [`${NS}/second`]);

    const bounded = ledgerOf(kube, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await assert.rejects(
      reserveCluster(
        bounded,
        withWriterDuringCount(ken, () => true),
        { namespace: NS, name: 'third', dryRun: false },
      ),
      (error: unknown) =>
        error instanceof KubeError &&
        error.kind === 'conflict' &&
        error.message ===
          `the quota ledger ${LEDGER_NS}/${ledgerName(ken.identity.userId)} changed under each of 3 attempts`,
    );
    assert.deepEqual(await pendingKeys(ken), [`${NS}/second`], 'the refused call reserved nothing');
  });

  /**
   * The caller, with another writer changing the ledger ConfigMap while the ledger counts the
   * caller's clusters (between its read and its write) whenever `interfere()` says so.
   */
  function withWriterDuringCount(who: QuotaCaller, interfere: () => boolean): QuotaCaller {
    const custom = new Proxy(who.kube.custom, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'listNamespacedCustomObject' || typeof value !== 'function') return value;
        return async (request: { namespace: string }, ...rest: unknown[]) => {
          if (request.namespace === NS && interfere()) {
            await admin.core.patchNamespacedConfigMap(
              {
                namespace: LEDGER_NS,
                name: ledgerName(who.identity.userId),
                body: { metadata: { annotations: { 'example.com/touched': String(Math.random()) } } },
              },
              setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
            );
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, [request, ...rest]);
        };
      },
    });
    return { ...who, kube: { ...who.kube, custom } };
  }
});
