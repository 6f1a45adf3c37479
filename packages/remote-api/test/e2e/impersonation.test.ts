import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeEmulator } from '../../../devstack/src/index.js';
import {
  emulatorOnly,
  type LocalStack,
  type StackApi,
  startLocalStack,
} from '../../../devstack/src/stack.js';
import { identityFromClaims } from '../../src/identity.js';
import { Kube, loadKubeConfig } from '../../src/kube/client.js';
import { translateKubeError } from '../../src/kube/errors.js';
import { connectClient } from '../support/support.js';

const NS = 'team-a';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1', namespace: NS, plural: 'clusters' } as const;
let stack: LocalStack;
let kube: KubeEmulator;
let api: StackApi;

describe(
  'impersonation, decided by the emulator’s users and RBAC',
  emulatorOnly("the Kubernetes users and RBAC rules are the emulator's own"),
  () => {
    before(async () => {
      stack = await startLocalStack({
        kube: {
          namespaces: [NS],
          stepDelayMs: 1,
          rbac: {
            users: {
              'alice@example.com': [
                {
                  verbs: ['get', 'list'],
                  apiGroups: ['postgresql.cnpg.io'],
                  resources: ['clusters'],
                  namespaces: [NS],
                },
              ],
              // RBAC bound to the admin's email address: only a token with that address verified may use it.
              'admin@example.com': [
                {
                  verbs: ['get', 'list', 'create'],
                  apiGroups: ['postgresql.cnpg.io'],
                  resources: ['clusters'],
                  namespaces: [NS],
                },
              ],
            },
            groups: {
              readers: [
                {
                  verbs: ['get', 'list'],
                  apiGroups: ['postgresql.cnpg.io'],
                  resources: ['clusters'],
                  namespaces: [NS],
                },
              ],
              'pod-viewers': [{ verbs: ['list'], apiGroups: [''], resources: ['pods'], namespaces: [NS] }],
            },
          },
        },
        remoteApi: { env: { DEFAULT_NAMESPACE: NS, IMPERSONATION: 'email' } },
      });
      ({ kube, api } = stack);
    });

    after(async () => {
      await stack.close();
    });

    test('every group of the caller reaches Kubernetes as its own Impersonate-Group header', async () => {
      const identity = identityFromClaims(
        { iss: 'https://issuer', sub: 'u1', preferred_username: 'carol', groups: ['readers', 'pod-viewers'] },
        [],
        'groups',
      );
      const apis = new Kube(loadKubeConfig(kube.kubeconfigPath, undefined), 'user-id').apisFor(identity);
      await apis.custom.listNamespacedCustomObject({ ...CNPG }, apis.options);
      await apis.core.listNamespacedPod({ namespace: NS }, apis.options);
      const denied = await apis.custom
        .createNamespacedCustomObject(
          {
            ...CNPG,
            body: {
              apiVersion: 'postgresql.cnpg.io/v1',
              kind: 'Cluster',
              metadata: { name: 'x' },
              spec: { instances: 1, storage: { size: '1Gi' } },
            },
          },
          apis.options,
        )
        .then(
          () => undefined,
          (error: unknown) => translateKubeError(error),
        );
      assert.equal(denied?.kind, 'forbidden');
      assert.match(denied.message, new RegExp(`User "${identity.userId}" cannot create`));
    });

    test('through the remote API, Kubernetes RBAC decides for the impersonated person', async () => {
      const alice = await connectClient(api, await stack.tokenFor('alice'));
      const who = (await alice.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
        impersonation: string;
      };
      assert.equal(who.impersonation, 'Impersonate-User alice@example.com, groups developers');
      const list = await alice.callTool({ name: 'cluster_list', arguments: {} });
      assert.ok(!list.isError, '!list.isError');
      const create = await alice.callTool({
        name: 'cluster_create',
        arguments: { name: 'pg-rbac', storage_size: '1Gi' },
      });
      assert.equal(create.isError, true);
      const text = (create.content as { text: string }[])[0]!.text;
      // cluster_create reads what would name the new cluster (the operator's Secrets) before it creates:
      // whichever request RBAC refuses first, Kubernetes saw alice.
      assert.match(
        text,
        /Kubernetes forbidden \(HTTP 403\): .*User "alice@example\.com" cannot (get|list|create) /,
      );
      assert.match(text, /Hint: Kubernetes RBAC refused/);
      await alice.close();
    });

    test('groups from the token that name Kubernetes system groups are never impersonated', async () => {
      const identity = identityFromClaims(
        {
          iss: 'https://issuer',
          sub: 'u2',
          preferred_username: 'mallory',
          groups: ['system:masters', 'readers'],
        },
        [],
        'groups',
      );
      const apis = new Kube(loadKubeConfig(kube.kubeconfigPath, undefined), 'user-id').apisFor(identity);
      const denied = await apis.custom
        .createNamespacedCustomObject(
          {
            ...CNPG,
            body: {
              apiVersion: 'postgresql.cnpg.io/v1',
              kind: 'Cluster',
              metadata: { name: 'escalated' },
              spec: { instances: 1, storage: { size: '1Gi' } },
            },
          },
          apis.options,
        )
        .then(
          () => undefined,
          (error: unknown) => translateKubeError(error),
        );
      assert.equal(denied?.kind, 'forbidden', 'a token claiming system:masters gains nothing');
    });

    test('IMPERSONATION=email uses only a verified email: an account claiming the admin address gets no RBAC of the admin', async () => {
      const mallory = await connectClient(api, await stack.tokenFor('mallory'));
      const who = (await mallory.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
        email: string;
        userId: string;
        impersonation: string;
      };
      assert.equal(who.email, 'admin@example.com');
      assert.equal(who.impersonation, `Impersonate-User ${who.userId}, groups developers`);
      const create = await mallory.callTool({
        name: 'cluster_create',
        arguments: { name: 'pg-borrowed', storage_size: '1Gi' },
      });
      assert.equal(create.isError, true);
      assert.match(
        (create.content as { text: string }[])[0]!.text,
        new RegExp(`User "${who.userId}" cannot `),
      );
      const clusters = (await stack.admin.custom.listNamespacedCustomObject({ ...CNPG })) as {
        items: { metadata: { name: string } }[];
      };
      assert.deepEqual(
        clusters.items.map((c) => c.metadata.name).filter((name) => name === 'pg-borrowed'),
        [],
        'nothing was created with the RBAC bound to admin@example.com',
      );
      await mallory.close();
    });
  },
);
