/**
 * Helpers for the RBAC end-to-end test: rendered Roles/Bindings as the emulator's RBAC policy, and
 * a recording proxy that notes every Kubernetes request (as RBAC attributes) and its status.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RbacPolicy, RbacRule } from '../../../packages/devstack/src/index.js';
import type { K8sObject } from './render.js';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

export const serviceAccountUser = (sa: ServiceAccountRef) => ({
  username: `system:serviceaccount:${sa.namespace}:${sa.name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`],
});

/** What a RoleBinding grants is its role's rules in the binding's namespace; a ClusterRoleBinding's apply everywhere. */
export function rbacPolicyFrom(objects: K8sObject[]): RbacPolicy {
  const policy: Required<RbacPolicy> = { users: {}, groups: {} };
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const ref = binding.roleRef!;
    const roleNamespace = ref.kind === 'Role' ? binding.metadata.namespace : undefined;
    const role = objects.find(
      (o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === roleNamespace,
    );
    if (!role)
      throw new Error(`${binding.kind} ${binding.metadata.name}: ${ref.kind} ${ref.name} is not rendered`);
    const rules: RbacRule[] = (role.rules ?? []).map((r) => ({
      verbs: r.verbs,
      ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
      ...(r.resources ? { resources: r.resources } : {}),
      ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
      ...(r.nonResourceURLs ? { nonResourceURLs: r.nonResourceURLs } : {}),
      ...(binding.kind === 'RoleBinding' ? { namespaces: [binding.metadata.namespace!] } : {}),
    }));
    for (const subject of binding.subjects ?? []) {
      if (subject.kind === 'ServiceAccount') {
        const user = serviceAccountUser({ namespace: subject.namespace!, name: subject.name }).username;
        policy.users[user] = [...(policy.users[user] ?? []), ...rules];
      } else if (subject.kind === 'User') {
        policy.users[subject.name] = [...(policy.users[subject.name] ?? []), ...rules];
      } else {
        policy.groups[subject.name] = [...(policy.groups[subject.name] ?? []), ...rules];
      }
    }
  }
  return policy;
}

/** The group the shipped impersonation bindings name, for the operator to replace with one of theirs. */
export const SHIPPED_USER_GROUP = 'cnpg-mcp-users';

/**
 * What an operator does after installing the impersonation overlay: bind the people's roles to a
 * group their provider sends instead of the shipped one, and allow impersonating that group.
 */
export function bindGroup(objects: K8sObject[], group: string): K8sObject[] {
  const rename = (name: string) => (name === SHIPPED_USER_GROUP ? group : name);
  return objects.map((o) => {
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const subjects = (o.subjects ?? []).map((s) =>
        s.kind === 'Group' ? { ...s, name: rename(s.name) } : s,
      );
      return { ...o, subjects };
    }
    if (o.kind === 'ClusterRole' && o.rules?.some((r) => r.verbs.includes('impersonate'))) {
      const rules = o.rules.map((r) =>
        r.resourceNames ? { ...r, resourceNames: r.resourceNames.map(rename) } : r,
      );
      return { ...o, rules };
    }
    return o;
  });
}

/** One Kubernetes API request in RBAC terms. */
export interface KubeRequest {
  verb: string;
  group: string;
  resource: string;
  namespace: string | undefined;
  status: number;
  path: string;
  /** The Impersonate-User header, when the request acted as someone else. */
  impersonating: string | undefined;
}

const VERBS: Record<string, [string, string]> = {
  GET: ['get', 'list'],
  HEAD: ['get', 'list'],
  POST: ['create', 'create'],
  PUT: ['update', 'update'],
  PATCH: ['patch', 'patch'],
  DELETE: ['delete', 'deletecollection'],
};

/** Resource attributes of a request path, as kube-apiserver's RequestInfo resolves them. */
export function requestAttributes(
  method: string,
  url: string,
): Omit<KubeRequest, 'status' | 'path' | 'impersonating'> | undefined {
  const { pathname, searchParams } = new URL(url, 'http://kube');
  const parts = pathname.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return undefined; // discovery
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  const [single, collection] = VERBS[method] ?? [method.toLowerCase(), method.toLowerCase()];
  const verb =
    method === 'GET' && !name && searchParams.get('watch') === 'true' ? 'watch' : name ? single : collection;
  return { verb, group, resource: subresource ? `${plural}/${subresource}` : plural!, namespace };
}

/** A pass-through proxy in front of the emulator that records every resource request. */
export async function startRecordingProxy(target: string) {
  const requests: KubeRequest[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const attributes = requestAttributes(req.method ?? 'GET', req.url ?? '/');
        if (attributes) {
          const impersonating = req.headers['impersonate-user'];
          requests.push({
            ...attributes,
            status: answer.statusCode ?? 0,
            path: req.url ?? '',
            impersonating: Array.isArray(impersonating) ? impersonating[0] : impersonating,
          });
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      res.writeHead(502);
      res.end(error.message);
    });
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** "group resource verb" triples a set of rules grants (namespaces aside). */
export function grantedTriples(
  rules: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[],
): Set<string> {
  const triples = new Set<string>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) triples.add(`${group || 'core'} ${resource} ${verb}`);
  return triples;
}

export const tripleOf = (r: Pick<KubeRequest, 'group' | 'resource' | 'verb'>) =>
  `${r.group || 'core'} ${r.resource} ${r.verb}`;
