import type { ConfigurationOptions, ObservableMiddleware, V1Secret } from '@kubernetes/client-node';
import { type Identity, ownerMetadata } from '../../identity.js';
import type { KubeApis } from '../../kube/client.js';
import { translateKubeError } from '../../kube/errors.js';
import { WarningCollector } from '../../kube/warnings.js';
import { referencesInBody } from './body-references.js';
import {
  type CoreKind,
  type CustomKind,
  DEPENDENT_KINDS,
  isCoreKind,
  KINDS,
  type Kind,
  type KubeObject,
} from './kinds.js';
import { describeReference, type ResolvedReference } from './references.js';

/**
 * A write the tool did not declare: a programming error, caught here before anything reaches
 * Kubernetes, so a tool cannot write to or refer to an object the framework has not checked.
 */
export class UndeclaredWrite extends Error {
  constructor(tool: string, detail: string) {
    super(`${tool}: ${detail}`);
    this.name = 'UndeclaredWrite';
  }
}

type Body = Record<string, unknown>;

export interface WriteOptions {
  /** Patch the status subresource instead of the object (switchover's targetPrimary). */
  subresource?: 'status';
}

/**
 * The only way a tool writes. Each write must target an object the tool declared (create for a
 * create, change for a patch or delete), and every reference its body adds must be a declared
 * reference that passed the checks. Created objects carry the caller's owner labels; what a tool
 * creates for a cluster gets an owner reference to that Cluster, so it is deleted with it.
 */
export class Writer {
  readonly done: string[] = [];
  /** What this call created, which it may delete again to roll back a step that failed after it. */
  private readonly created = new Set<string>();
  /** The Cluster this call created, whose dependents it may then create (cluster_create's PodMonitor). */
  private createdCluster: { name: string; uid: string } | undefined;
  /** The admission warnings of this call's writes, for the person (see executeTool). */
  private readonly collector = new WarningCollector();
  private readonly options: ConfigurationOptions<ObservableMiddleware>;
  private readonly mergePatch: ConfigurationOptions<ObservableMiddleware>;

  constructor(
    private readonly tool: string,
    private readonly apis: KubeApis,
    private readonly identity: Identity,
    private readonly namespace: string,
    private readonly references: readonly ResolvedReference[],
    private readonly observed: Readonly<Record<string, KubeObject | undefined>>,
    readonly dryRun: boolean,
  ) {
    this.options = this.collector.options(apis.options);
    this.mergePatch = this.collector.options(apis.mergePatch);
  }

  /** The Warning headers the API server sent back for this call's writes, each once. */
  get warnings(): string[] {
    return this.collector.warnings;
  }

  async create<T extends KubeObject>(kind: Kind, body: Body): Promise<T> {
    const metadata = (body.metadata ?? {}) as KubeObject['metadata'];
    this.declared(kind, metadata.name, ['create'], 'create');
    this.checkBodyReferences(kind, body, []);
    const owner = ownerMetadata(this.identity);
    const clusterOwner = DEPENDENT_KINDS.has(kind) ? this.dependentOwner() : undefined;
    const full = {
      ...body,
      apiVersion: body.apiVersion ?? apiVersionOf(kind),
      kind,
      metadata: {
        ...metadata,
        namespace: this.namespace,
        labels: { ...(metadata.labels ?? {}), ...owner.labels },
        annotations: { ...(metadata.annotations ?? {}), ...owner.annotations },
        ...(clusterOwner ? { ownerReferences: [...(metadata.ownerReferences ?? []), clusterOwner] } : {}),
      },
    };
    const result = await this.call(() =>
      isCoreKind(kind)
        ? this.createCore(kind, full)
        : this.apis.custom.createNamespacedCustomObject(
            { ...gvp(kind), namespace: this.namespace, body: full, ...this.params() },
            this.options,
          ),
    );
    this.observe(kind, metadata.name, 'create', result);
    this.done.push(`create ${kind} ${this.namespace}/${metadata.name}`);
    this.created.add(`${kind}/${metadata.name}`);
    const uid = (result as KubeObject | undefined)?.metadata?.uid;
    if (kind === 'Cluster' && metadata.name && uid) this.createdCluster = { name: metadata.name, uid };
    return result as T;
  }

  /** A JSON merge patch (RFC 7386); put metadata.resourceVersion in the body to make it conditional. */
  async patch<T extends KubeObject>(
    kind: Kind,
    name: string,
    body: Body,
    options: WriteOptions = {},
  ): Promise<T> {
    const target = this.declared(kind, name, ['change'], 'patch');
    const current = this.observed[target.key];
    this.checkBodyReferences(kind, body, current ? referencesInBody(kind, current as Body) : []);
    const params = { namespace: this.namespace, name, body, ...this.params() };
    const result = await this.call(() => {
      if (kind === 'Secret') return this.apis.core.patchNamespacedSecret(params, this.mergePatch);
      if (kind === 'PersistentVolumeClaim')
        return this.apis.core.patchNamespacedPersistentVolumeClaim(params, this.mergePatch);
      if (isCoreKind(kind)) throw new UndeclaredWrite(this.tool, `patching a ${kind} is not supported`);
      const custom = { ...gvp(kind), ...params };
      return options.subresource === 'status'
        ? this.apis.custom.patchNamespacedCustomObjectStatus(custom, this.mergePatch)
        : this.apis.custom.patchNamespacedCustomObject(custom, this.mergePatch);
    });
    this.observe(kind, name, 'patch', result);
    this.done.push(`patch ${kind} ${this.namespace}/${name}${options.subresource ? '/status' : ''}`);
    return result as T;
  }

  /**
   * Deletes an object declared `change`, or one this call created (rolling back a step that failed
   * after it); returns it when the server answers with the object (finalizers pending).
   */
  async delete(kind: Kind, name: string): Promise<KubeObject | undefined> {
    if (!this.created.has(`${kind}/${name}`)) this.declared(kind, name, ['change'], 'delete');
    const params = {
      namespace: this.namespace,
      name,
      propagationPolicy: 'Background',
      ...this.dryRunParam(),
    };
    const result: unknown = await this.call(() => {
      switch (kind) {
        case 'Secret':
          return this.apis.core.deleteNamespacedSecret(params, this.options);
        case 'Pod':
          return this.apis.core.deleteNamespacedPod(params, this.options);
        case 'PersistentVolumeClaim':
          return this.apis.core.deleteNamespacedPersistentVolumeClaim(params, this.options);
        default:
          return this.apis.custom.deleteNamespacedCustomObject({ ...gvp(kind), ...params }, this.options);
      }
    });
    this.observe(kind, name, 'delete', result);
    this.done.push(`delete ${kind} ${this.namespace}/${name}`);
    return result && typeof result === 'object' && 'metadata' in result && 'spec' in result
      ? (result as KubeObject)
      : undefined;
  }

  /** Tells the watch cache, so this call's later reads (and later calls') see the write. */
  private observe(kind: Kind, name: string, verb: 'create' | 'patch' | 'delete', result: unknown): void {
    if (!this.dryRun) this.apis.written?.(kind, this.namespace, name, verb, result);
  }

  private declared(kind: Kind, name: string | undefined, intents: string[], verb: string): ResolvedReference {
    const found = this.references.find(
      (ref) => ref.kind === kind && ref.name === name && intents.includes(ref.intent),
    );
    if (!found) {
      throw new UndeclaredWrite(
        this.tool,
        `${verb} of ${kind} ${this.namespace}/${name ?? '(no name)'}, which the tool did not declare with intent ${intents.join(' or ')}`,
      );
    }
    return found;
  }

  /** Every reference the body adds (beyond those the object already had) must be declared and checked. */
  private checkBodyReferences(kind: Kind, body: Body, existing: { kind: Kind; name: string }[]): void {
    for (const ref of referencesInBody(kind, body)) {
      if (existing.some((e) => e.kind === ref.kind && e.name === ref.name)) continue;
      const ok = this.references.some(
        (declared) =>
          declared.kind === ref.kind &&
          declared.name === ref.name &&
          declared.intent !== 'read' &&
          (declared.exists || declared.intent === 'create'),
      );
      if (!ok) {
        throw new UndeclaredWrite(
          this.tool,
          `the ${kind} body refers to ${describeReference({ kind: ref.kind, namespace: this.namespace, name: ref.name })} (${ref.field}), which the tool did not declare as a checked reference`,
        );
      }
    }
  }

  /**
   * The Cluster this call works for, when it declared exactly one that exists (one Cluster may be
   * declared twice: a role tool uses its cluster and changes its spec.managed.roles), else the one
   * it created.
   */
  private dependentOwner() {
    const clusters = this.references.filter(
      (ref) => ref.kind === 'Cluster' && (ref.intent === 'use' || ref.intent === 'change') && ref.exists,
    );
    const distinct = new Set(clusters.map((ref) => ref.uid ?? ref.name));
    const cluster = distinct.size === 1 ? clusters[0] : distinct.size === 0 ? this.createdCluster : undefined;
    if (!cluster?.uid) return undefined;
    return { apiVersion: apiVersionOf('Cluster'), kind: 'Cluster', name: cluster.name, uid: cluster.uid };
  }

  private createCore(kind: CoreKind, body: Body) {
    if (kind !== 'Secret') throw new UndeclaredWrite(this.tool, `creating a ${kind} is not supported`);
    return this.apis.core.createNamespacedSecret(
      { namespace: this.namespace, body: body as V1Secret, ...this.params() },
      this.options,
    );
  }

  private params() {
    return { fieldManager: 'cnpg-mcp', ...this.dryRunParam() };
  }

  private dryRunParam() {
    return this.dryRun ? { dryRun: 'All' } : {};
  }

  private async call<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      throw translateKubeError(error) ?? error;
    }
  }
}

export const apiVersionOf = (kind: Kind): string => {
  const { group, version } = KINDS[kind];
  return group ? `${group}/${version}` : version;
};

const gvp = (kind: CustomKind) => ({
  group: KINDS[kind].group,
  version: KINDS[kind].version,
  plural: KINDS[kind].plural,
});
