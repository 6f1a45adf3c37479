/** Assembles the watch cache for a Kube and starts it (READ_CACHE=on). */
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { RemoteApiConfig } from '../config.js';
import type { Kube } from '../kube/client.js';
import { DEFAULT_RESILIENCE, resilient } from '../kube/resilience.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { AccessReviews } from './access-review.js';
import { WatchCache } from './informers.js';
import { CachedReads } from './read-through.js';

/**
 * Starts informers for the namespaces the service may touch and serves the tools' reads from them.
 * Their lists are tried once per attempt (an informer waits and lists again itself), within the
 * usual request time limit.
 */
export function startReadCache(
  kube: Kube,
  config: RemoteApiConfig,
  log: Logger,
  metrics: Metrics,
): WatchCache {
  const policy = { ...DEFAULT_RESILIENCE, timeoutMs: config.kubeRequestTimeoutMs, attempts: 1 };
  const cache = new WatchCache({
    kubeConfig: kube.kubeConfig,
    apis: {
      custom: resilient(kube.kubeConfig.makeApiClient(CustomObjectsApi), policy),
      core: resilient(kube.kubeConfig.makeApiClient(CoreV1Api), policy),
    },
    namespaces: config.allowedNamespaces,
    log,
  });
  const reviews =
    config.impersonation === 'off'
      ? undefined
      : new AccessReviews(
          kube.kubeConfig.makeApiClient(AuthorizationV1Api),
          config.readCache.accessTtlMs,
          log,
        );
  kube.serveReadsFrom(
    new CachedReads(cache, reviews, (resource, source) => metrics.cacheReads.inc({ resource, source })),
  );
  cache.start();
  return cache;
}
