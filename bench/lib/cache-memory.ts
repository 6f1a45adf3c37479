/**
 * Run as a child process with --expose-gc: the heap the remote API's watch cache takes for what a
 * Kubernetes API holds. Starts the cache against KUBECONFIG and prints {objects, bytes}: the heap
 * after a full GC once it has listed everything, minus the heap of a cache holding nothing.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { WatchCache } from '../../packages/remote-api/src/cache/informers.js';
import { loadKubeConfig } from '../../packages/remote-api/src/kube/client.js';
import type { Logger } from '../../packages/remote-api/src/log.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const kubeConfig = loadKubeConfig(process.env.KUBECONFIG, undefined);
const apis = {
  custom: kubeConfig.makeApiClient(CustomObjectsApi),
  core: kubeConfig.makeApiClient(CoreV1Api),
};
const settle = async () => {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
};

// A cache of a namespace with nothing in it first: what any cache costs (code, connections,
// informers) is in the baseline, and only what the objects take is measured.
const empty = new WatchCache({ kubeConfig, apis, namespaces: ['bench-nothing-here'], log: quiet });
empty.start();
await empty.initialSync(60_000);
const before = await settle();
const cache = new WatchCache({ kubeConfig, apis, namespaces: ['*'], log: quiet });
cache.start();
await cache.initialSync(60_000);
const after = await settle();
process.stdout.write(`${JSON.stringify({ objects: cache.objectCount(), bytes: after - before })}\n`);
cache.stop();
empty.stop();
process.exit(0);
