/**
 * A small RBAC model: rules per user and per group, each optionally limited to namespaces (like a
 * RoleBinding) or cluster-wide (like a ClusterRoleBinding). system:masters may do anything.
 */
export interface RbacRule {
  verbs: string[];
  apiGroups?: string[];
  /** Plural names, "plural/subresource", "*" or "*\/subresource". */
  resources?: string[];
  resourceNames?: string[];
  /** Namespaces this rule applies in; absent = every namespace and cluster-scoped resources. */
  namespaces?: string[];
  /** For non-resource requests such as /healthz or /api/*. */
  nonResourceURLs?: string[];
}

export interface RbacPolicy {
  users?: Record<string, RbacRule[]>;
  groups?: Record<string, RbacRule[]>;
}

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** What every authenticated user may do on a real cluster (system:basic-user, system:discovery). */
const AUTHENTICATED_DEFAULTS: RbacRule[] = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/version',
      '/version/',
      '/healthz',
      '/livez',
      '/readyz',
      '/openapi',
      '/openapi/*',
    ],
  },
];

export class Rbac {
  constructor(private policy: RbacPolicy = {}) {}

  setPolicy(policy: RbacPolicy): void {
    this.policy = policy;
  }

  rulesFor(user: UserInfo): RbacRule[] {
    const rules = [...(this.policy.users?.[user.username] ?? [])];
    for (const group of user.groups) rules.push(...(this.policy.groups?.[group] ?? []));
    if (user.groups.includes('system:authenticated')) rules.push(...AUTHENTICATED_DEFAULTS);
    return rules;
  }

  allows(user: UserInfo, attrs: ResourceAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    return this.rulesFor(user).some((rule) => ruleAllows(rule, attrs));
  }

  allowsNonResource(user: UserInfo, attrs: NonResourceAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    return this.rulesFor(user).some(
      (rule) =>
        matches(rule.verbs, attrs.verb) &&
        (rule.nonResourceURLs ?? []).some((u) =>
          u.endsWith('*') ? attrs.path.startsWith(u.slice(0, -1)) : u === attrs.path,
        ),
    );
  }
}

function matches(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === value);
}

function ruleAllows(rule: RbacRule, attrs: ResourceAttributes): boolean {
  if (rule.nonResourceURLs && !rule.resources) return false;
  if (!matches(rule.verbs, attrs.verb)) return false;
  if (!matches(rule.apiGroups, attrs.group)) return false;
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resources = rule.resources ?? [];
  const resourceOk = resources.some(
    (r) => r === '*' || r === full || (attrs.subresource && r === `*/${attrs.subresource}`),
  );
  if (!resourceOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    if (!attrs.name || !rule.resourceNames.includes(attrs.name)) return false;
  }
  if (rule.namespaces) {
    if (!attrs.namespace) return false;
    if (!rule.namespaces.includes(attrs.namespace) && !rule.namespaces.includes('*')) return false;
  }
  return true;
}

/** The reason text of a 403, as the RBAC authorizer words it. */
export function forbiddenDetail(user: UserInfo, attrs: ResourceAttributes): string {
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `User "${user.username}" cannot ${attrs.verb} resource "${full}" in API group "${attrs.group}" ${scope}`;
}
