/**
 * GET …/pods/{name}[:port]/proxy/{path}: the instance manager's endpoints on CNPG pods
 * (:9187/metrics, :8000/healthz and /readyz); other ports are refused like an unreachable pod.
 */
import { ApiError } from '../api/errors.js';
import { instanceMetrics } from '../controllers/cnpg/instance-metrics.js';
import { asRecord } from '../types.js';
import type { HandlerContext } from './handlers.js';

function unreachable(ip: string, port: string): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `error trying to reach service: dial tcp ${ip}:${port}: connect: connection refused`,
    reason: 'ServiceUnavailable',
    code: 503,
  });
}

export function servePodProxy(
  ctx: HandlerContext,
  namespace: string,
  nameWithPort: string,
  path: string,
): void {
  const { registry, res } = ctx;
  const [podName, port = '80'] = nameWithPort.replace(/^https?:/, '').split(':') as [string, string?];
  const pod = registry.get(registry.catalog.byApiVersionKind('v1', 'Pod'), namespace, podName);
  const ip = String(asRecord(pod.status).podIP ?? '');
  const isInstance = pod.metadata.labels?.['cnpg.io/podRole'] === 'instance';
  const clusterName = pod.metadata.labels?.['cnpg.io/cluster'];
  const cluster = clusterName
    ? registry.find(
        registry.catalog.byApiVersionKind('postgresql.cnpg.io/v1', 'Cluster'),
        namespace,
        clusterName,
      )
    : undefined;
  const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (isInstance && port === '9187' && path === 'metrics') {
    text(200, instanceMetrics(pod, cluster), 'text/plain; version=0.0.4; charset=utf-8');
    return;
  }
  if (isInstance && port === '8000' && (path === 'healthz' || path === 'readyz')) {
    text(200, 'OK');
    return;
  }
  if (isInstance && (port === '9187' || port === '8000')) {
    text(404, '404 page not found\n');
    return;
  }
  throw unreachable(ip, port);
}
