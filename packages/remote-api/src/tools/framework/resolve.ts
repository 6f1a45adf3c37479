import type { Identity } from '../../identity.js';
import type { KubeApis } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { type Access, requireOwnership, requireReadable } from '../../policy.js';
import { ToolFailure } from '../context.js';
import { type CustomKind, isCoreKind, KINDS, type Kind, type KubeObject } from './kinds.js';
import { describeReference, type Observed, type References, type ResolvedReference } from './references.js';

/** Reads one object of a declared reference; undefined when it does not exist. */
async function fetchObject(
  apis: KubeApis,
  kind: Kind,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  // The watch cache answers where it may; Secrets and PVCs are always read from the API server.
  const reads = apis.reads ?? apis;
  try {
    if (isCoreKind(kind)) {
      const params = { namespace, name };
      switch (kind) {
        case 'Secret':
          return (await apis.core.readNamespacedSecret(params, apis.options)) as KubeObject;
        case 'Pod':
          return (await reads.core.readNamespacedPod(params, apis.options)) as KubeObject;
        case 'PersistentVolumeClaim':
          return (await apis.core.readNamespacedPersistentVolumeClaim(params, apis.options)) as KubeObject;
      }
    }
    const { group, version, plural } = KINDS[kind as CustomKind];
    if ('clusterScoped' in KINDS[kind as CustomKind]) {
      return (await reads.custom.getClusterCustomObject(
        { group, version, plural, name },
        apis.options,
      )) as KubeObject;
    }
    return (await reads.custom.getNamespacedCustomObject(
      { group, version, plural, namespace, name },
      apis.options,
    )) as KubeObject;
  } catch (error) {
    const translated = translateKubeError(error);
    if (translated?.kind === 'not_found') return undefined;
    throw translated ?? error;
  }
}

export interface ResolvedCall {
  references: ResolvedReference[];
  observed: Observed;
}

/**
 * Reads every declared reference (recording each in `references` as it goes, so a refusal's audit
 * line still names it) in declaration order and applies the checks its intent calls
 * for, before the tool runs: existence (unless optional), ownership for what the call changes or
 * uses, and the policy's reads rule for what it only reads. A `create` reference is not read: Kubernetes itself refuses a duplicate.
 */
export async function resolveReferences<Args>(
  declared: References<Args>,
  args: Args,
  call: { apis: KubeApis; namespace: string; identity: Identity; access: Access },
  references: ResolvedReference[] = [],
): Promise<ResolvedCall> {
  const observed: Record<string, KubeObject | undefined> = {};
  for (const [key, spec] of Object.entries(declared)) {
    const name = await spec.name(args, observed, call.apis);
    if (name === undefined) {
      observed[key] = undefined;
      continue;
    }
    const clusterScoped = 'clusterScoped' in KINDS[spec.kind];
    const namespace = clusterScoped ? '' : call.namespace;
    const where = { kind: spec.kind, namespace, name };
    const object =
      spec.intent === 'create' ? undefined : await fetchObject(call.apis, spec.kind, namespace, name);
    if (!object && spec.intent !== 'create' && !spec.optional) {
      throw new ToolFailure(
        'not_found',
        `${spec.role}: ${describeReference(where)} not found${spec.hint ? `; ${spec.hint}` : ''}`,
      );
    }
    observed[key] = object;
    references.push({
      key,
      kind: spec.kind,
      intent: spec.intent,
      role: spec.role,
      namespace,
      name,
      exists: object !== undefined,
      ...(object?.metadata.uid ? { uid: object.metadata.uid } : {}),
    });
    const what = `${spec.role} (${describeReference(where)})`;
    if (object && spec.intent === 'read') requireReadable(call.access, call.identity, object, what);
    if (object && (spec.intent === 'change' || spec.intent === 'use') && spec.ownership !== 'policy') {
      requireOwnership(call.access, call.identity, object, what);
    }
  }
  return { references, observed };
}
