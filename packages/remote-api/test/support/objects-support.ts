import assert from 'node:assert/strict';
import {
  type CoreV1Api,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DevOidc, KubeEmulator } from '../../../devstack/src/index.js';
import { type StackApi, startLocalStack } from '../../../devstack/src/stack.js';
import { connectClient } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary Kubernetes objects and tool results.
export type Loose = any;

export const NS = 'team-a';
export const OTHER_NS = 'team-b';
const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;

/** Everything an end-to-end test of the object tools needs: provider, emulator, remote API, clients. */
export interface ObjectsEnv {
  oidc: DevOidc;
  kube: KubeEmulator;
  api: StackApi;
  /** alice: write scopes; bob: another non-admin; reader: alice with mcp:read only. */
  alice: Client;
  bob: Client;
  reader: Client;
  /** Direct admin access to the emulator, standing in for kubectl (checks, and playing the operator's part). */
  custom: CustomObjectsApi;
  core: CoreV1Api;
  close(): Promise<void>;
}

/** Policy: everyone may use team-a only; ownership enforced. */
export async function startObjectsEnv(options: { cnpgVersion?: '1.29' | '1.30' } = {}): Promise<ObjectsEnv> {
  const stack = await startLocalStack({
    kube: {
      namespaces: [NS, OTHER_NS],
      stepDelayMs: 1,
      ...(options.cnpgVersion ? { cnpgVersion: options.cnpgVersion } : {}),
    },
    remoteApi: {
      env: { DEFAULT_NAMESPACE: NS },
      policy: { namespaces: { everyone: [NS] }, ownership: { enforced: true } },
    },
  });
  const [aliceToken, bobToken, readerToken] = await Promise.all([
    stack.tokenFor('alice'),
    stack.tokenFor('bob'),
    stack.tokenFor('alice', 'openid profile email mcp:read'),
  ]);
  const [alice, bob, reader] = await Promise.all([
    connectClient(stack.api, aliceToken),
    connectClient(stack.api, bobToken),
    connectClient(stack.api, readerToken),
  ]);
  return {
    oidc: stack.oidc,
    kube: stack.kube,
    api: stack.api,
    alice,
    bob,
    reader,
    custom: stack.admin.custom,
    core: stack.admin.core,
    async close() {
      await Promise.all([alice.close(), bob.close(), reader.close()]);
      await stack.close();
    },
  };
}

export type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

/** Every tool result seen in this process, to check that no output but credential_reveal carries a secret. */
export const outputs: { tool: string; serialized: string }[] = [];

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  outputs.push({ tool: name, serialized: JSON.stringify(result) });
  return result;
}

/** Asserts that none of `secrets` appears in any tool output other than credential_reveal's. */
export function assertNoSecretInOutputs(secrets: string[]): void {
  assert.ok(secrets.length > 0, 'secrets.length > 0');
  for (const output of outputs) {
    if (output.tool === 'credential_reveal') continue;
    for (const secret of secrets)
      assert.ok(!output.serialized.includes(secret), `${output.tool} output holds a secret`);
  }
}

export const textOf = (result: ToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** Calls a tool and fails with its text when it reports an error. */
export async function ok(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  return (result.structuredContent ?? {}) as Record<string, Loose>;
}

/** Calls a tool that must fail, and returns its text. */
export async function fails(client: Client, name: string, args: Record<string, unknown>, pattern: RegExp) {
  const result = await call(client, name, args);
  assert.equal(result.isError, true, `${name} should be refused: ${textOf(result)}`);
  assert.match(textOf(result), pattern);
  return textOf(result);
}

export async function getCr(env: ObjectsEnv, plural: string, name: string, namespace = NS) {
  try {
    return (await env.custom.getNamespacedCustomObject({ ...CNPG, namespace, plural, name })) as Record<
      string,
      Loose
    >;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export async function listCr(env: ObjectsEnv, plural: string, namespace = NS) {
  return (
    (await env.custom.listNamespacedCustomObject({ ...CNPG, namespace, plural })) as {
      items: Record<string, Loose>[];
    }
  ).items;
}

/** Merge-patches a CNPG object as an administrator (e.g. configuring backups the tools do not set). */
export async function adminPatch(
  env: ObjectsEnv,
  plural: string,
  name: string,
  body: Record<string, unknown>,
) {
  await env.custom.patchNamespacedCustomObject(
    { ...CNPG, namespace: NS, plural, name, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** A cluster created by alice through cluster_create, waited until healthy. */
export async function aliceCluster(env: ObjectsEnv, name: string, instances = 1) {
  await ok(env.alice, 'cluster_create', {
    name,
    instances,
    storage_size: '1Gi',
    wait: true,
    wait_timeout_seconds: 60,
  });
  await env.kube.settle();
}

/** A secret's data, decoded, or undefined when it does not exist. */
export type SecretValues = { username: string; password: string } & Record<string, string>;

export async function secretData(env: ObjectsEnv, name: string): Promise<SecretValues | undefined> {
  try {
    const secret = await env.core.readNamespacedSecret({ namespace: NS, name });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    ) as SecretValues;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** Counts objects of a kind, to show that a refused call wrote nothing. */
export async function count(env: ObjectsEnv, plural: string) {
  return (await listCr(env, plural)).length;
}
