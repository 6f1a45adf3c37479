/** Renders the Kustomize overlays with Debian's kubectl, offline, and gives typed access to objects. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';

export const repoRoot = new URL('../../../', import.meta.url).pathname;
export const kustomizeDir = join(repoRoot, 'deploy/kustomize');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  data?: Record<string, string>;
  rules?: PolicyRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string; apiGroup?: string }[];
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const overlays = (): string[] => readdirSync(join(kustomizeDir, 'overlays')).sort();

/**
 * KUBECTL picks the binary (default: kubectl on PATH). The manifests use only what Debian's
 * kubectl 1.20 (kustomize v2.0.3) understands, so they render with it and with current kubectl,
 * which warns on stderr about `bases` and `commonLabels`.
 */
export function render(dir: string): K8sObject[] {
  return renderAt(join(kustomizeDir, dir));
}

/** Renders any Kustomization directory (absolute path). */
export function renderAt(path: string): K8sObject[] {
  const yaml = execFileSync(process.env.KUBECTL ?? 'kubectl', ['kustomize', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (loadAll(yaml) as (K8sObject | null)[]).filter((o): o is K8sObject => o !== null);
}

export const renderOverlay = (name: string) => render(`overlays/${name}`);

/** Objects of a kind; T is the client-node model for it (its field names are the manifest's). */
export function find<T = K8sObject>(objects: K8sObject[], kind: string, name?: string): T[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as T[];
}

export function only<T = K8sObject>(objects: K8sObject[], kind: string, name?: string): T {
  const found = find<T>(objects, kind, name);
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

/** The ConfigMap the Deployment takes its environment from (its name carries a content hash). */
export function configFor(objects: K8sObject[]): Record<string, string> {
  const deployment = only<V1Deployment>(objects, 'Deployment', 'cnpg-mcp');
  const ref = deployment.spec?.template.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name ?? '';
  return only(objects, 'ConfigMap', ref).data ?? {};
}

/**
 * The remote API's environment as its pod gets it: the ConfigMap's settings, the container's own
 * values (NODE_ENV=production) and POD_NAMESPACE from the downward API.
 */
export function podEnvFor(objects: K8sObject[]): Record<string, string> {
  const deployment = only<V1Deployment>(objects, 'Deployment', 'cnpg-mcp');
  const env: Record<string, string> = { ...configFor(objects) };
  for (const variable of deployment.spec?.template.spec?.containers[0]?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace')
      env[variable.name] = deployment.metadata?.namespace ?? '';
  }
  return env;
}
