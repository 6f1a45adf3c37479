import {
  type ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import { type Identity, verifiedEmail } from '../identity.js';
import type { Kind } from '../tools/framework/kinds.js';
import type { KubeReads } from '../tools/framework/kube-reads.js';
import { SharedAgentKubeConfig } from './agent.js';
import { DEFAULT_RESILIENCE, type ResiliencePolicy, resilient } from './resilience.js';

export const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;

export type ImpersonationMode = 'off' | 'user-id' | 'email';

/** API clients for one caller: impersonating them when configured, so cluster RBAC decides. */
export interface KubeApis {
  custom: CustomObjectsApi;
  core: CoreV1Api;
  /** Options for every call (impersonation headers). */
  options: ConfigurationOptions<ObservableMiddleware> | undefined;
  /** Options for JSON merge patches (RFC 7386), which custom resources accept. */
  mergePatch: ConfigurationOptions<ObservableMiddleware>;
  /** What the tools read: from the watch cache where it may answer for this caller; absent without one. */
  reads?: KubeReads;
  /** Tells the watch cache about a write made with these clients, so later reads see it. */
  written?: WriteObserver;
}

export type WriteObserver = (
  kind: Kind,
  namespace: string,
  name: string,
  verb: 'create' | 'patch' | 'delete',
  result: unknown,
) => void;

/** Reads served from a watch cache (cache/read-through.ts). */
export interface ReadCache {
  /** `impersonatedAs`: the caller as Kubernetes sees them (user and groups) when impersonated. */
  readsFor(apis: KubeApis, impersonatedAs: string | undefined): KubeReads;
  noteWrite: WriteObserver;
}

/** The kubeconfig, with one keep-alive connection pool for every call made through it (see agent.ts). */
export function loadKubeConfig(kubeconfigPath: string | undefined, context: string | undefined): KubeConfig {
  const kc = new SharedAgentKubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}

/**
 * Adds Impersonate-User and one Impersonate-Group header per group. client-node keeps headers in a
 * plain object (one value per name); node-fetch builds its Headers from any object that is
 * iterable as [name, value] pairs, which lets the group header repeat as Kubernetes expects.
 */
function impersonationMiddleware(user: string, groups: string[]): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setHeaderParam('Impersonate-User', user);
      const headers = request.getHeaders() as Record<string, string>;
      Object.defineProperty(headers, Symbol.iterator, {
        enumerable: false,
        configurable: true,
        value: function* pairs(this: Record<string, string>) {
          for (const [name, value] of Object.entries(this)) yield [name, value];
          for (const group of groups) yield ['Impersonate-Group', group];
        },
      });
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/**
 * The groups sent as Impersonate-Group. `system:` groups belong to Kubernetes itself
 * (system:masters is cluster-admin): an identity provider must never grant them through a claim.
 */
export function impersonatedGroups(identity: Identity): string[] {
  return identity.groups.filter((group) => !group.startsWith('system:'));
}

/**
 * The Impersonate-User value. In `email` mode only a verified email is used: an unverified one
 * is whatever the account typed, and would let it borrow RBAC bound to someone else's address.
 * Without a verified email the user id is sent, which no email-named binding can match.
 */
export function impersonatedUser(identity: Identity, mode: Exclude<ImpersonationMode, 'off'>): string {
  return (mode === 'email' && verifiedEmail(identity)) || identity.userId;
}

export class Kube {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly version: VersionApi;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly impersonation: ImpersonationMode,
    resilience: ResiliencePolicy = DEFAULT_RESILIENCE,
  ) {
    this.custom = resilient(kubeConfig.makeApiClient(CustomObjectsApi), resilience);
    this.core = resilient(kubeConfig.makeApiClient(CoreV1Api), resilience);
    this.version = kubeConfig.makeApiClient(VersionApi);
  }

  private readCache: ReadCache | undefined;
  /** Without impersonation every caller gets the same clients: built once. */
  private serviceAccountApis: KubeApis | undefined;

  /** Serves the tools' reads from a watch cache from now on. */
  serveReadsFrom(cache: ReadCache): void {
    this.readCache = cache;
    this.serviceAccountApis = undefined;
  }

  apisFor(identity: Identity): KubeApis {
    if (this.impersonation === 'off') {
      this.serviceAccountApis ??= this.build(undefined, []);
      return this.serviceAccountApis;
    }
    return this.build(impersonatedUser(identity, this.impersonation), impersonatedGroups(identity));
  }

  private build(user: string | undefined, groups: string[]): KubeApis {
    const options =
      user === undefined
        ? undefined
        : {
            middleware: [impersonationMiddleware(user, groups)],
            middlewareMergeStrategy: 'append' as const,
          };
    const apis: KubeApis = {
      custom: this.custom,
      core: this.core,
      options,
      mergePatch: setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options),
    };
    if (this.readCache) {
      apis.reads = this.readCache.readsFor(
        apis,
        user === undefined ? undefined : [user, ...groups].join('\n'),
      );
      apis.written = this.readCache.noteWrite;
    }
    return apis;
  }

  /**
   * The remote API's own identity (its service account), never the caller's: for its own
   * bookkeeping, such as the quota ledger, which no caller may be able to write directly.
   */
  serviceApis(): KubeApis {
    return {
      custom: this.custom,
      core: this.core,
      options: undefined,
      mergePatch: setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    };
  }

  /** Closes the idle connections of the shared pool (on shutdown). */
  close(): void {
    if (this.kubeConfig instanceof SharedAgentKubeConfig) this.kubeConfig.destroyAgents();
  }

  /** Readiness: the API server answers /version. */
  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      const info = await this.version.getCode();
      return { ok: true, detail: info.gitVersion };
    } catch (error) {
      return { ok: false, detail: (error as Error).message.slice(0, 200) };
    }
  }
}
