import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type {
  V1Deployment,
  V1Ingress,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { loadConfig } from '../../../packages/remote-api/src/config.js';
import { loadPolicy } from '../../../packages/remote-api/src/policy.js';
import { grantedTriples } from '../support/kube-rbac.js';
import {
  configFor,
  find,
  type K8sObject,
  kustomizeDir,
  only,
  overlays,
  renderAt,
  renderOverlay,
  repoRoot,
} from '../support/render.js';

const rendered = new Map(overlays().map((name) => [name, renderOverlay(name)]));
const POD_LABELS = { 'app.kubernetes.io/name': 'cnpg-mcp', 'app.kubernetes.io/component': 'remote-api' };
const RBAC_KINDS = ['Role', 'ClusterRole'];

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.keys(selector ?? {}).length > 0 &&
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** The remote API's own bookkeeping (the quota ledger) in its own namespace, in every overlay. */
const LEDGER = 'cnpg-mcp-quota-ledger';
/** The one cluster-scoped read: ClusterImageCatalogs a call names (the service account's, or the people's). */
const CATALOG_READER = 'cnpg-mcp-cluster-image-catalogs';
const PEOPLE_CATALOG_READER = 'cnpg-mcp-user-cluster-image-catalogs';
const CATALOG_RULES = [
  { apiGroups: ['postgresql.cnpg.io'], resources: ['clusterimagecatalogs'], verbs: ['get'] },
];
const toolBindings = (objects: K8sObject[]) =>
  find(objects, 'RoleBinding').filter((b) => b.metadata.name !== LEDGER);

const rulesOf = (objects: K8sObject[]) =>
  objects
    .filter((o) => RBAC_KINDS.includes(o.kind))
    .flatMap((o) => (o.rules ?? []).map((rule) => ({ role: o, rule })));

test('the overlays are namespaced (default), cluster-wide, impersonation, ingress-tls and networkpolicy', () => {
  assert.deepEqual(
    [...rendered.keys()],
    ['cluster-wide', 'impersonation', 'ingress-tls', 'namespaced', 'networkpolicy'],
  );
});

for (const [name, objects] of rendered) {
  describe(`overlay ${name}`, () => {
    const deployment = only<V1Deployment>(objects, 'Deployment', 'cnpg-mcp');
    const pod = deployment.spec!.template;
    const container = pod.spec!.containers[0]!;

    test('the pod runs as non-root with a read-only root filesystem under the restricted profile', () => {
      assert.equal(pod.spec?.securityContext?.runAsNonRoot, true);
      assert.ok(
        (pod.spec?.securityContext?.runAsUser ?? 0) > 0,
        '(pod.spec?.securityContext?.runAsUser ?? 0) > 0',
      );
      assert.equal(pod.spec?.securityContext?.seccompProfile?.type, 'RuntimeDefault');
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
      assert.equal(container.securityContext?.privileged, undefined);
      const tmp = pod.spec?.volumes?.find((v) => v.name === 'tmp');
      assert.ok(tmp?.emptyDir, '/tmp is a writable emptyDir');
      assert.ok(
        container.volumeMounts?.some((m) => m.name === 'tmp' && m.mountPath === '/tmp'),
        "container.volumeMounts?.some((m) => m.name === 'tmp' && m.mountPath === '/tmp')",
      );
      const namespace = only(objects, 'Namespace', deployment.metadata?.namespace);
      assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    });

    test('probes: liveness and startup on /healthz, readiness on /readyz, on the http port', () => {
      const port = container.ports?.find((p) => p.name === 'http');
      assert.equal(port?.containerPort, 8080);
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(container.startupProbe?.httpGet?.path, '/healthz');
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        assert.equal(probe?.httpGet?.port, 'http');
      }
    });

    test('resources, rolling update without downtime, topology spread over zones and nodes', () => {
      assert.ok(
        container.resources?.requests?.cpu && container.resources.requests.memory,
        'container.resources?.requests?.cpu && container.resources.requests.memory',
      );
      const limitMi = Number(/^(\d+)Mi$/.exec(String(container.resources?.limits?.memory))?.[1]);
      const heapMi = Number(
        /--max-old-space-size=(\d+)/.exec(
          container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '',
        )?.[1],
      );
      assert.ok(heapMi > 0 && heapMi < limitMi, 'the V8 heap limit is below the memory limit');
      assert.equal(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable, 0);
      const spread = pod.spec?.topologySpreadConstraints ?? [];
      assert.deepEqual(spread.map((s) => s.topologyKey).sort(), [
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      for (const s of spread)
        assert.ok(
          matches(s.labelSelector?.matchLabels, pod.metadata?.labels),
          'matches(s.labelSelector?.matchLabels, pod.metadata?.labels)',
        );
      assert.ok(
        matches(deployment.spec?.selector.matchLabels, pod.metadata?.labels),
        'matches(deployment.spec?.selector.matchLabels, pod.metadata?.labels)',
      );
      assert.ok(matches(POD_LABELS, pod.metadata?.labels), 'matches(POD_LABELS, pod.metadata?.labels)');
    });

    test('Service, PodDisruptionBudget and HorizontalPodAutoscaler select or target the Deployment', () => {
      const service = only<V1Service>(objects, 'Service', 'cnpg-mcp');
      assert.ok(
        matches(service.spec?.selector, pod.metadata?.labels),
        'matches(service.spec?.selector, pod.metadata?.labels)',
      );
      assert.equal(service.spec?.ports?.[0]?.targetPort, 'http');
      const pdb = only<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget');
      assert.ok(
        matches(pdb.spec?.selector?.matchLabels, pod.metadata?.labels),
        'matches(pdb.spec?.selector?.matchLabels, pod.metadata?.labels)',
      );
      const hpa = only<V2HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
      assert.deepEqual(hpa.spec?.scaleTargetRef, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'cnpg-mcp',
      });
      assert.ok((hpa.spec?.minReplicas ?? 0) >= 2, 'at least two replicas, so the PDB lets a node drain');
    });

    test('the ConfigMap is a valid remote-api configuration and the policy a valid policy', () => {
      const env = configFor(objects);
      const source = readFileSync(join(repoRoot, 'packages/remote-api/src/config.ts'), 'utf8');
      for (const key of Object.keys(env))
        assert.match(source, new RegExp(`^\\s+${key}: z\\b`, 'm'), `${key} is read by the remote API`);
      const config = loadConfig(env);
      assert.equal(config.port, 8080);
      const policyMap = find(objects, 'ConfigMap').find((c) =>
        c.metadata.name.startsWith('cnpg-mcp-policy-'),
      );
      const mount = container.volumeMounts?.find((m) => m.name === 'policy');
      assert.equal(`${mount?.mountPath}/policy.json`, env.POLICY_FILE);
      assert.equal(
        pod.spec?.volumes?.find((v) => v.name === 'policy')?.configMap?.name,
        policyMap?.metadata.name,
      );
      assert.doesNotThrow(() => loadPolicy(join(kustomizeDir, 'base/policy.json')));
    });

    test('the service account has no wildcard permissions, and RBAC subjects are that service account', () => {
      const sa = deployment.spec?.template.spec?.serviceAccountName;
      assert.equal(sa, 'cnpg-mcp');
      for (const { role, rule } of rulesOf(objects)) {
        for (const field of [rule.verbs, rule.resources ?? [], rule.apiGroups ?? []]) {
          assert.ok(!field.includes('*'), `${role.kind} ${role.metadata.name} has a wildcard`);
        }
      }
      for (const binding of objects.filter((o) => o.kind.endsWith('Binding'))) {
        for (const subject of binding.subjects ?? []) {
          if (subject.kind === 'ServiceAccount') {
            assert.deepEqual([subject.name, subject.namespace], [sa, deployment.metadata?.namespace]);
          }
        }
        assert.ok(
          objects.some((o) => o.kind === binding.roleRef?.kind && o.metadata.name === binding.roleRef.name),
          `${binding.kind} ${binding.metadata.name} refers to a role in the same render`,
        );
      }
    });

    test('Secrets, image catalogs and ObjectStores are read by name only: never listed or watched', () => {
      for (const { role, rule } of rulesOf(objects)) {
        const named = (rule.resources ?? []).filter((r) =>
          ['secrets', 'imagecatalogs', 'clusterimagecatalogs', 'objectstores'].includes(r),
        );
        if (named.length === 0) continue;
        for (const verb of ['list', 'watch'])
          assert.ok(!rule.verbs.includes(verb), `${role.kind} ${role.metadata.name}: ${verb} ${named}`);
      }
    });

    test('the quota ledger and confirmations: get, create, update and delete of ConfigMaps in the remote’s own namespace, nothing more', () => {
      const namespace = deployment.metadata?.namespace;
      const role = only(objects, 'Role', LEDGER);
      assert.equal(role.metadata.namespace, namespace);
      assert.deepEqual(role.rules, [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update', 'delete'] },
      ]);
      const binding = only(objects, 'RoleBinding', LEDGER);
      assert.equal(binding.metadata.namespace, namespace);
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: LEDGER,
      });
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: deployment.spec?.template.spec?.serviceAccountName, namespace },
      ]);
      // The ledger's namespace defaults to the pod's own (POD_NAMESPACE from the downward API).
      const podNamespace = container.env?.find((e) => e.name === 'POD_NAMESPACE');
      assert.equal(podNamespace?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
      assert.equal(configFor(objects).QUOTA_NAMESPACE, undefined);
    });

    test(`impersonation rights ${name === 'impersonation' ? 'are present, and only them for the service account' : 'are absent'}`, () => {
      const impersonating = rulesOf(objects).filter(({ rule }) => rule.verbs.includes('impersonate'));
      const env = configFor(objects);
      if (name !== 'impersonation') {
        assert.deepEqual(impersonating, []);
        assert.equal(env.IMPERSONATION, 'off');
        return;
      }
      assert.equal(env.IMPERSONATION, 'user-id');
      assert.deepEqual(
        impersonating.map(({ rule }) => [rule.apiGroups, rule.resources, rule.resourceNames]),
        [
          [[''], ['users'], undefined],
          [[''], ['groups'], ['cnpg-mcp-users']],
        ],
      );
      // Only bound groups may be impersonated, never system: groups.
      const boundGroups = objects
        .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
        .flatMap((o) => (o.subjects ?? []).filter((s) => s.kind === 'Group').map((s) => s.name));
      assert.deepEqual(impersonating[1]?.rule.resourceNames, [...new Set(boundGroups)]);
      // The service account is bound to the impersonator role only; people get the tool rights.
      const saBindings = objects.filter((o) => o.subjects?.some((s) => s.kind === 'ServiceAccount'));
      assert.deepEqual(saBindings.map((b) => b.roleRef?.name).sort(), ['cnpg-mcp-impersonator', LEDGER]);
    });
  });
}

describe('RBAC variants', () => {
  const toolRules = (role: K8sObject) =>
    (role.rules ?? [])
      .map((r) => JSON.stringify([r.apiGroups, [...(r.resources ?? [])].sort(), [...r.verbs].sort()]))
      .sort();
  const namespaced = rendered.get('namespaced')!;
  const role = only(namespaced, 'Role', 'cnpg-mcp');

  /** The service account may get ClusterImageCatalogs, and nothing else cluster-wide. */
  const assertCatalogReader = (objects: K8sObject[]) => {
    assert.deepEqual(only(objects, 'ClusterRole', CATALOG_READER).rules, CATALOG_RULES);
    const binding = only(objects, 'ClusterRoleBinding', CATALOG_READER);
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: CATALOG_READER,
    });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'cnpg-mcp', namespace: 'cnpg-mcp' }]);
  };

  test('namespaced (default): a Role and RoleBinding in each allowed namespace; cluster-wide only reading ClusterImageCatalogs', () => {
    assert.deepEqual(
      find(namespaced, 'ClusterRole').map((r) => r.metadata.name),
      [CATALOG_READER],
    );
    assert.deepEqual(
      find(namespaced, 'ClusterRoleBinding').map((r) => r.metadata.name),
      [CATALOG_READER],
    );
    assertCatalogReader(namespaced);
    const bound = toolBindings(namespaced)
      .map((b) => b.metadata.namespace)
      .sort();
    const allowed = configFor(namespaced).ALLOWED_NAMESPACES?.split(',').sort();
    assert.deepEqual(bound, allowed);
    assert.ok(!allowed?.includes('*'), "!allowed?.includes('*')");
    assert.ok(
      allowed?.includes(configFor(namespaced).DEFAULT_NAMESPACE ?? ''),
      "allowed?.includes(configFor(namespaced).DEFAULT_NAMESPACE ?? '')",
    );
  });

  test('cluster-wide: a ClusterRole with the same rules as the Role, and ALLOWED_NAMESPACES=*', () => {
    const objects = rendered.get('cluster-wide')!;
    assert.deepEqual(
      find(objects, 'Role').map((r) => r.metadata.name),
      [LEDGER],
    );
    assert.deepEqual(toolRules(only(objects, 'ClusterRole', 'cnpg-mcp')), toolRules(role));
    assert.equal(only(objects, 'ClusterRoleBinding', 'cnpg-mcp').roleRef?.name, 'cnpg-mcp');
    assertCatalogReader(objects);
    assert.equal(configFor(objects).ALLOWED_NAMESPACES, '*');
  });

  test('impersonation: people get a ClusterRole with the same rules, bound per namespace', () => {
    const objects = rendered.get('impersonation')!;
    assert.deepEqual(toolRules(only(objects, 'ClusterRole', 'cnpg-mcp-user')), toolRules(role));
    const binding = only(objects, 'RoleBinding', 'cnpg-mcp-users');
    assert.equal(binding.metadata.namespace, 'databases');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cnpg-mcp-user',
    });
    // ClusterImageCatalogs are cluster-scoped: the same group reads them through a ClusterRoleBinding.
    assert.deepEqual(only(objects, 'ClusterRole', PEOPLE_CATALOG_READER).rules, CATALOG_RULES);
    const catalogs = only(objects, 'ClusterRoleBinding', 'cnpg-mcp-users-cluster-image-catalogs');
    assert.equal(catalogs.roleRef?.name, PEOPLE_CATALOG_READER);
    assert.deepEqual(catalogs.subjects, binding.subjects);
    assert.deepEqual(
      find(objects, 'ClusterRole', CATALOG_READER),
      [],
      'the service account reads none itself',
    );
  });

  test('docs/deploy.md lists exactly the shipped rules', () => {
    const docs = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');
    const start = docs.indexOf('## Permissions (RBAC)');
    const section = docs.slice(start, docs.indexOf('\n## ', start + 1));
    // Each table of the section as "group resource verb" triples (`a, b` cells; notes in brackets left out).
    const tables: Set<string>[] = [];
    let columns: string[] | undefined;
    const list = (text: string) =>
      text
        .replace(/\(.*\)/, '')
        .split(',')
        .map((v) => v.trim().replaceAll('`', ''))
        .filter(Boolean);
    for (const line of section.split('\n')) {
      if (!line.startsWith('|')) {
        columns = undefined;
        continue;
      }
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      if (!columns) {
        columns = cells;
        tables.push(new Set());
        continue;
      }
      if (cells.every((c) => /^-+$/.test(c))) continue;
      const cell = (name: string) => cells[columns!.indexOf(name)] ?? '';
      const group = list(cell('API group'))[0] ?? '';
      const rule = {
        apiGroups: [group === 'core' ? '' : group],
        resources: list(cell('resources')),
        verbs: list(cell('verbs')),
      };
      for (const triple of grantedTriples([rule])) tables.at(-1)!.add(triple);
    }
    const sorted = (set: Set<string> | undefined) => [...(set ?? [])].sort();
    assert.deepEqual(sorted(tables[0]), sorted(grantedTriples(role.rules ?? [])), 'the per-namespace table');
    const outside = [
      ...(only(namespaced, 'ClusterRole', CATALOG_READER).rules ?? []),
      ...(only(namespaced, 'Role', LEDGER).rules ?? []),
    ];
    assert.deepEqual(
      sorted(tables[1]),
      sorted(grantedTriples(outside)),
      'the cluster-scoped and own-namespace table',
    );
  });
});

test('ingress-tls: HTTPS for the host, to the Service, and PUBLIC_URL names the same host', () => {
  const objects = rendered.get('ingress-tls')!;
  const ingress = only<V1Ingress>(objects, 'Ingress', 'cnpg-mcp');
  const host = ingress.spec?.rules?.[0]?.host;
  assert.ok(host, 'host');
  assert.ok(ingress.spec?.tls?.[0]?.hosts?.includes(host), 'ingress.spec?.tls?.[0]?.hosts?.includes(host)');
  assert.ok(ingress.spec?.tls?.[0]?.secretName, 'ingress.spec?.tls?.[0]?.secretName');
  const backend = ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service;
  assert.equal(backend?.name, 'cnpg-mcp');
  assert.equal(backend?.port?.name, only<V1Service>(objects, 'Service').spec?.ports?.[0]?.name);
  assert.equal(configFor(objects).PUBLIC_URL, `https://${host}`);
  assert.equal(ingress.metadata?.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering'], 'off');
});

test('networkpolicy: selects the pods, admits the ingress controller, allows DNS and HTTPS out', () => {
  const objects = rendered.get('networkpolicy')!;
  const policy = only<V1NetworkPolicy>(objects, 'NetworkPolicy', 'cnpg-mcp');
  const pod = only<V1Deployment>(objects, 'Deployment').spec?.template;
  assert.ok(
    matches(policy.spec?.podSelector?.matchLabels, pod?.metadata?.labels),
    'matches(policy.spec?.podSelector?.matchLabels, pod?.metadata?.labels)',
  );
  assert.deepEqual(policy.spec?.policyTypes, ['Ingress', 'Egress']);
  assert.equal(policy.spec?.ingress?.[0]?.ports?.[0]?.port, 'http');
  const egressPorts = (policy.spec?.egress ?? []).flatMap((e) =>
    (e.ports ?? []).map((p) => `${p.protocol}/${p.port}`),
  );
  for (const port of ['UDP/53', 'TCP/53', 'TCP/443']) assert.ok(egressPorts.includes(port), port);
  for (const other of ['namespaced', 'cluster-wide', 'impersonation', 'ingress-tls']) {
    assert.deepEqual(find(rendered.get(other)!, 'NetworkPolicy'), [], `no NetworkPolicy in ${other}`);
  }
});

test('the overlay docs/deploy.md describes renders: own image, settings, a second target namespace, Ingress and NetworkPolicy', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnpg-overlay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The layout of docs/deploy.md: your overlay next to deploy/.
  symlinkSync(join(repoRoot, 'deploy'), join(dir, 'deploy'));
  mkdirSync(join(dir, 'my-cnpg-mcp/targets/analytics'), { recursive: true });
  writeFileSync(
    join(dir, 'my-cnpg-mcp/targets/analytics/kustomization.yaml'),
    'namespace: analytics\nbases:\n  - ../../../deploy/kustomize/rbac/namespaced\n',
  );
  writeFileSync(
    join(dir, 'my-cnpg-mcp/kustomization.yaml'),
    [
      'bases:',
      '  - ../deploy/kustomize/overlays/namespaced',
      '  - ../deploy/kustomize/components/ingress-tls',
      '  - ../deploy/kustomize/components/networkpolicy',
      '  - targets/analytics',
      'images:',
      '  - name: ghcr.io/cnpg-mcp/remote-api',
      '    newName: registry.example.com/cnpg-mcp/remote-api',
      '    newTag: 1.2.3',
      'configMapGenerator:',
      '  - name: cnpg-mcp-config',
      '    namespace: cnpg-mcp',
      '    behavior: merge',
      '    literals:',
      '      - OIDC_ISSUER=https://tenant.eu.auth0.com/',
      '      - ALLOWED_NAMESPACES=databases,analytics',
      '      - PUBLIC_URL=https://cnpg-mcp.example.com',
      '',
    ].join('\n'),
  );
  const objects = renderAt(join(dir, 'my-cnpg-mcp'));
  const config = configFor(objects);
  assert.equal(config.OIDC_ISSUER, 'https://tenant.eu.auth0.com/');
  assert.doesNotThrow(() => loadConfig(config));
  assert.deepEqual(
    toolBindings(objects)
      .map((b) => b.metadata.namespace)
      .sort(),
    config.ALLOWED_NAMESPACES?.split(',').sort(),
  );
  assert.equal(
    only<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0]?.image,
    'registry.example.com/cnpg-mcp/remote-api:1.2.3',
  );
  assert.equal(find(objects, 'Ingress').length, 1);
  assert.equal(find(objects, 'NetworkPolicy').length, 1);
});
