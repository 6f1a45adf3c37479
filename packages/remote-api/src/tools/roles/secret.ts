import { randomInt } from 'node:crypto';
import { MANAGED_BY_LABEL } from '../../identity.js';
import { derivedName } from '../common/objects.js';
import type { KubeObject } from '../framework/kinds.js';

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

/**
 * The kubernetes.io/basic-auth Secret CloudNativePG reads the role's password from, labelled
 * cnpg.io/reload so the operator applies a new password at once. The writer adds the owner labels
 * and the owner reference to the cluster.
 */
export function passwordSecretBody(
  name: string,
  cluster: string,
  role: string,
  password: string,
): Record<string, unknown> {
  return {
    type: 'kubernetes.io/basic-auth',
    metadata: {
      name,
      labels: { [RELOAD_LABEL]: 'true', 'cnpg.io/cluster': cluster },
      annotations: { [ROLE_ANNOTATION]: role },
    },
    stringData: { username: role, password },
  };
}

/** The merge patch that replaces the password in an existing Secret (and makes sure the operator reloads it). */
export function newPasswordPatch(password: string): Record<string, unknown> {
  return {
    metadata: { labels: { [RELOAD_LABEL]: 'true' } },
    data: { password: Buffer.from(password).toString('base64') },
  };
}

/** True when cnpg-mcp created `secret` as the password Secret of `role` (only those go with the role). */
export function isPasswordSecretOf(secret: KubeObject, role: string): boolean {
  return (
    secret.metadata.labels?.[MANAGED_BY_LABEL] === 'cnpg-mcp' &&
    secret.metadata.annotations?.[ROLE_ANNOTATION] === role
  );
}
