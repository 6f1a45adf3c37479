/** authorization.k8s.io/v1 access reviews answered from the emulator's RBAC policy. */
import { fieldErrors, invalid } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import type { RbacRule, UserInfo } from '../auth/rbac.js';
import { asRecord, isPlainObject } from '../types.js';
import type { HandlerContext } from './handlers.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function decide(ctx: HandlerContext, user: UserInfo, spec: Record<string, unknown>): Record<string, unknown> {
  if (isPlainObject(spec.resourceAttributes)) {
    const a = spec.resourceAttributes;
    const allowed = ctx.rbac.allows(user, {
      verb: str(a.verb),
      group: str(a.group),
      resource: str(a.resource),
      ...(str(a.subresource) ? { subresource: str(a.subresource) } : {}),
      ...(str(a.namespace) ? { namespace: str(a.namespace) } : {}),
      ...(str(a.name) ? { name: str(a.name) } : {}),
    });
    return allowed
      ? { allowed: true, reason: `RBAC: allowed by the emulator policy for User "${user.username}"` }
      : { allowed: false };
  }
  if (isPlainObject(spec.nonResourceAttributes)) {
    const a = spec.nonResourceAttributes;
    const allowed = ctx.rbac.allowsNonResource(user, { verb: str(a.verb), path: str(a.path) });
    return allowed
      ? { allowed: true, reason: `RBAC: allowed by the emulator policy for User "${user.username}"` }
      : { allowed: false };
  }
  return { allowed: false, evaluationError: 'no resourceAttributes or nonResourceAttributes given' };
}

function rulesReview(ctx: HandlerContext, namespace: string): Record<string, unknown> {
  const rules: RbacRule[] = ctx.user.groups.includes('system:masters')
    ? [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ]
    : ctx.rbac.rulesFor(ctx.user);
  const applies = (r: RbacRule) =>
    !r.namespaces || r.namespaces.includes(namespace) || r.namespaces.includes('*');
  return {
    resourceRules: rules
      .filter((r) => r.resources && applies(r))
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
    incomplete: false,
  };
}

export function accessReview(
  ctx: HandlerContext,
  rt: ResourceType,
  namespace: string | undefined,
  body: unknown,
): Record<string, unknown> {
  const review = asRecord(body);
  const spec = asRecord(review.spec);
  const base = {
    kind: rt.kind,
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
  };
  switch (rt.kind) {
    case 'SelfSubjectAccessReview':
      return { ...base, status: decide(ctx, ctx.user, spec) };
    case 'SelfSubjectRulesReview':
      return { ...base, status: rulesReview(ctx, str(spec.namespace)) };
    default: {
      const user = str(spec.user);
      const groups = Array.isArray(spec.groups) ? spec.groups.map(String) : [];
      if (!user && groups.length === 0) {
        throw invalid(rt, '', [
          fieldErrors.invalidNoValue('spec.user', 'at least one of user or group must be specified'),
        ]);
      }
      if (rt.kind === 'LocalSubjectAccessReview') {
        const attrs = asRecord(spec.resourceAttributes);
        if (str(attrs.namespace) !== namespace) {
          throw invalid(rt, '', [
            fieldErrors.invalid(
              'spec.resourceAttributes.namespace',
              str(attrs.namespace),
              'must match metadata.namespace',
            ),
          ]);
        }
      }
      return { ...base, status: decide(ctx, { username: user, groups }, spec) };
    }
  }
}
