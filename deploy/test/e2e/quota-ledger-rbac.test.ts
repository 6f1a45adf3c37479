/**
 * The remote API's own ConfigMaps (the quota ledger and pending confirmations) work with exactly
 * the RBAC that ships: in each overlay the rendered Roles and Bindings are loaded into the
 * Kubernetes emulator, both work as the remote API's service account (never as the caller, even
 * under impersonation), every ConfigMap permission granted to it is used, and nothing beyond them
 * is allowed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { renderKubeconfig, startKubeEmulator } from '../../../packages/devstack/src/index.js';
import { loadConfig } from '../../../packages/remote-api/src/config.js';
import { Confirmations } from '../../../packages/remote-api/src/elicitation/confirmations.js';
import { identityFromClaims } from '../../../packages/remote-api/src/identity.js';
import { Kube, loadKubeConfig } from '../../../packages/remote-api/src/kube/client.js';
import type { Logger } from '../../../packages/remote-api/src/log.js';
import { accessFor, policySchema } from '../../../packages/remote-api/src/policy.js';
import { reserveCluster } from '../../../packages/remote-api/src/quota/cluster-quota.js';
import { ledgerName, QuotaLedger } from '../../../packages/remote-api/src/quota/ledger.js';
import {
  bindGroup,
  grantedTriples,
  rbacPolicyFrom,
  serviceAccountUser,
  startRecordingProxy,
  tripleOf,
} from '../support/kube-rbac.js';
import { configFor, only, renderOverlay } from '../support/render.js';

const LEDGER_ROLE = 'cnpg-mcp-quota-ledger';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const statusOf = (call: Promise<unknown>) =>
  call.then(
    () => 200,
    (error: { code?: number }) => error.code,
  );

for (const overlay of ['namespaced', 'impersonation', 'cluster-wide']) {
  describe(`the quota ledger with the ${overlay} overlay's RBAC`, () => {
    const objects =
      overlay === 'impersonation' ? bindGroup(renderOverlay(overlay), 'developers') : renderOverlay(overlay);
    const deployment = only<V1Deployment>(objects, 'Deployment', 'cnpg-mcp');
    const ownNamespace = deployment.metadata!.namespace!;
    const sa = { namespace: ownNamespace, name: deployment.spec!.template.spec!.serviceAccountName! };
    const env = configFor(objects);

    test('works as the service account, uses every ConfigMap permission granted and no other', async (t) => {
      const target = env.DEFAULT_NAMESPACE!;
      const kube = await startKubeEmulator({
        namespaces: [target, ownNamespace, 'elsewhere'],
        stepDelayMs: 0,
      });
      t.after(() => kube.close());
      kube.setRbac(rbacPolicyFrom(objects));
      const proxy = await startRecordingProxy(kube.url);
      t.after(() => proxy.close());
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'cnpg-quota-rbac-')), 'kubeconfig');
      writeFileSync(
        kubeconfig,
        renderKubeconfig({ server: proxy.url, token: kube.addUser(serviceAccountUser(sa)) }),
      );
      // POD_NAMESPACE as the Deployment's downward API sets it.
      const config = loadConfig({ ...env, KUBECONFIG: kubeconfig, POD_NAMESPACE: ownNamespace });
      assert.equal(config.quotaNamespace, ownNamespace);

      const remote = new Kube(loadKubeConfig(config.kubeconfig, undefined), config.impersonation);
      const ledger = new QuotaLedger(remote.serviceApis().core, {
        namespace: config.quotaNamespace,
        reservationMs: config.quotaReservationMs,
        log: quiet,
      });
      const identity = identityFromClaims(
        { iss: 'http://127.0.0.1:1/', sub: 'alice', preferred_username: 'alice', groups: ['developers'] },
        ['mcp:read', 'mcp:write'],
        'groups',
      );
      const access = accessFor(
        policySchema.parse({ quotas: { clustersPerUser: 1 } }),
        identity,
        config.allowedNamespaces,
        true,
        'mcp:write',
      );
      const alice = { identity, access, kube: remote.apisFor(identity) };

      const first = await reserveCluster(ledger, alice, { namespace: target, name: 'a', dryRun: false });
      await first.release();
      const second = await reserveCluster(ledger, alice, { namespace: target, name: 'b', dryRun: false });
      await second.confirm();

      // A destructive call's confirmation: one replica asks and waits, the person's answer reaches
      // another, which writes it into the question's ConfigMap; the asking replica reads it there
      // and removes the question.
      const replica = () =>
        new Confirmations(remote.serviceApis().core, config.quotaNamespace, quiet, {
          timeoutMs: 10_000,
          pollMs: 10,
        });
      const [asking, answering] = [replica(), replica()];
      let delivered: string | undefined;
      const answer = await asking.ask(
        identity,
        'Delete cluster b?',
        async (request) => {
          delivered = await answering.answer(identity, {
            id: String(request.id),
            result: { action: 'accept' },
          });
        },
        new AbortController().signal,
      );
      assert.deepEqual([delivered, answer], ['delivered', 'accept']);
      const admin = new KubeConfig();
      admin.loadFromFile(kube.kubeconfigPath);
      const left = await admin.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ownNamespace });
      assert.deepEqual(
        left.items.map((c) => c.metadata?.name),
        [ledgerName(identity.userId)],
        'the question was removed; the ledger stays',
      );

      const ledgerRequests = proxy.requests.filter((r) => r.resource === 'configmaps');
      assert.ok(
        ledgerRequests.every((r) => r.namespace === ownNamespace && r.impersonating === undefined),
        'ledgerRequests.every((r) => r.namespace === ownNamespace && r.impersonating === undefined)',
      );
      // The first read finds no ledger (404); everything else is allowed.
      assert.deepEqual(
        proxy.requests.filter((r) => r.status >= 400).map((r) => `${r.verb} ${r.resource} ${r.status}`),
        ['get configmaps 404'],
      );
      const used = new Set(ledgerRequests.map(tripleOf));
      assert.deepEqual(
        [...used].sort(),
        [...grantedTriples(only(objects, 'Role', LEDGER_ROLE).rules ?? [])].sort(),
        'exactly the ConfigMap permissions granted',
      );
      // Clusters are counted as the caller: impersonated when the overlay impersonates.
      const counting = proxy.requests.filter((r) => r.resource === 'clusters');
      assert.ok(counting.length > 0, 'counting.length > 0');
      const expected = config.impersonation === 'off' ? undefined : identity.userId;
      assert.ok(
        counting.every((r) => r.impersonating === expected && r.status === 200),
        'counting.every((r) => r.impersonating === expected && r.status === 200)',
      );

      // Nothing beyond: other namespaces, listing (other people's ledgers), patching.
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const name = ledgerName(identity.userId);
      assert.equal(await statusOf(core.listNamespacedConfigMap({ namespace: ownNamespace })), 403);
      assert.equal(
        await statusOf(
          core.patchNamespacedConfigMap(
            { namespace: ownNamespace, name, body: { data: { clusters: '{}' } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
        ),
        403,
      );
      assert.equal(
        await statusOf(
          core.createNamespacedConfigMap({ namespace: 'elsewhere', body: { metadata: { name } } }),
        ),
        403,
      );
    });
  });
}
