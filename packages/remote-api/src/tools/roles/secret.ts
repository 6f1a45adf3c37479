import { randomInt } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, ownerMetadata } from '../../identity.js';
import { translateKubeError } from '../../kube/errors.js';
import { derivedName, dryRunParam, kubeCall } from '../common/objects.js';
import type { LegacyToolContext } from '../context.js';

/** Annotation naming the role a password Secret belongs to. */
export const ROLE_ANNOTATION = 'cnpg-mcp.io/role';
export const RELOAD_LABEL = 'cnpg.io/reload';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password from an unambiguous alphabet (≈ 5.8 bits per character), generated on the server. */
export function generatePassword(length: number): string {
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

/** Name of the Secret cnpg-mcp creates for a role: `<cluster>-<role>-password`, a valid DNS-1123 name. */
export function passwordSecretName(cluster: string, role: string): string {
  return `${derivedName(cluster, role).slice(0, 54).replace(/-+$/, '')}-password`;
}

/** Creates the kubernetes.io/basic-auth Secret CloudNativePG reads the role's password from. */
export async function createPasswordSecret(
  ctx: LegacyToolContext,
  namespace: string,
  cluster: string,
  role: string,
  name: string,
  length: number,
  dryRun: boolean,
): Promise<void> {
  const owner = ownerMetadata(ctx.identity);
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/basic-auth',
    metadata: {
      name,
      namespace,
      labels: { ...owner.labels, [RELOAD_LABEL]: 'true', 'cnpg.io/cluster': cluster },
      annotations: { ...owner.annotations, [ROLE_ANNOTATION]: role },
    },
    stringData: { username: role, password: generatePassword(length) },
  };
  // The response carries the password: it is deliberately dropped.
  await kubeCall(() =>
    ctx.kube.core.createNamespacedSecret(
      { namespace, body, fieldManager: 'cnpg-mcp', ...dryRunParam(dryRun) },
      ctx.kube.options,
    ),
  );
}

/** Replaces the password in an existing Secret (and makes sure the operator reloads it). */
export async function replacePassword(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
  length: number,
  dryRun: boolean,
): Promise<void> {
  const password = Buffer.from(generatePassword(length)).toString('base64');
  await kubeCall(() =>
    ctx.kube.core.patchNamespacedSecret(
      {
        namespace,
        name,
        body: { metadata: { labels: { [RELOAD_LABEL]: 'true' } }, data: { password } },
        fieldManager: 'cnpg-mcp',
        ...dryRunParam(dryRun),
      },
      ctx.kube.mergePatch,
    ),
  );
}

/** Reads a Secret's metadata only; undefined when it does not exist. */
export async function secretMetadata(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
): Promise<V1Secret['metadata'] | undefined> {
  try {
    const secret = await ctx.kube.core.readNamespacedSecret({ namespace, name }, ctx.kube.options);
    return secret.metadata;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return undefined;
    throw translated ?? error;
  }
}

/** Deletes a role's password Secret only when cnpg-mcp created it for that role; returns whether it did. */
export async function deleteOwnPasswordSecret(
  ctx: LegacyToolContext,
  namespace: string,
  name: string,
  role: string,
  dryRun: boolean,
): Promise<boolean> {
  const metadata = await secretMetadata(ctx, namespace, name);
  if (
    metadata?.labels?.[MANAGED_BY_LABEL] !== 'cnpg-mcp' ||
    metadata.annotations?.[ROLE_ANNOTATION] !== role
  ) {
    return false;
  }
  await kubeCall(() =>
    ctx.kube.core.deleteNamespacedSecret({ namespace, name, ...dryRunParam(dryRun) }, ctx.kube.options),
  );
  return true;
}
