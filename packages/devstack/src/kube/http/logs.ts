/** GET …/pods/{name}/log with container, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes, follow. */
import { badRequest } from '../api/errors.js';
import { asRecord } from '../types.js';
import type { HandlerContext } from './handlers.js';

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.map((c) => String(asRecord(c).name)) : [];
}

function nonNegativeInt(url: URL, key: string): number | undefined {
  const raw = url.searchParams.get(key);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`${key}: Invalid value: "${raw}": must be an integer`);
  const value = Number(raw);
  if (value < 0 || (key === 'sinceSeconds' && value === 0)) {
    throw badRequest(
      `PodLogOptions "" is invalid: ${key}: Invalid value: ${value}: must be ${key === 'sinceSeconds' ? 'greater than 0' : 'greater than or equal to 0'}`,
    );
  }
  return value;
}

export async function serveLogs(
  ctx: HandlerContext,
  namespace: string,
  podName: string,
  url: URL,
): Promise<void> {
  const { registry, res, req, logs } = ctx;
  const podType = registry.catalog.byApiVersionKind('v1', 'Pod');
  const pod = registry.get(podType, namespace, podName);
  const spec = asRecord(pod.spec);
  const containers = names(spec.containers);
  const initContainers = names(spec.initContainers);
  let container = url.searchParams.get('container') ?? undefined;
  if (container === undefined) {
    if (containers.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]${initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : ''}`,
      );
    }
    container = containers[0]!;
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  }
  if (url.searchParams.get('previous') === 'true') {
    throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
  }
  const tailLines = nonNegativeInt(url, 'tailLines');
  const sinceSeconds = nonNegativeInt(url, 'sinceSeconds');
  const limitBytes = nonNegativeInt(url, 'limitBytes');
  const sinceTimeRaw = url.searchParams.get('sinceTime');
  const timestamps = url.searchParams.get('timestamps') === 'true';
  const now = registry.clock.now().getTime();
  let since = sinceSeconds !== undefined ? now - sinceSeconds * 1000 : undefined;
  if (sinceTimeRaw) {
    const t = Date.parse(sinceTimeRaw);
    if (Number.isNaN(t)) throw badRequest(`sinceTime: Invalid value: "${sinceTimeRaw}": must be RFC3339`);
    since = t;
  }
  let lines = logs
    .read(namespace, podName, container)
    .filter((l) => since === undefined || l.time.getTime() >= since);
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  const render = (l: { time: Date; text: string }) =>
    `${
      timestamps
        ? `${l.time
            .toISOString()
            .replace('Z', '000000Z')
            .replace(/\.(\d{9})\d*Z$/, '.$1Z')} `
        : ''
    }${l.text}\n`;
  let text = lines.map(render).join('');
  if (limitBytes !== undefined) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  if (url.searchParams.get('follow') !== 'true') {
    res.end(text);
    return;
  }
  res.write(text);
  const stop = logs.follow(namespace, podName, container, (line) => {
    if (!res.writableEnded) res.write(render(line));
  });
  const unsubscribe = registry.store.subscribe((event) => {
    if (
      event.type === 'DELETED' &&
      event.rt === podType &&
      event.object.metadata.name === podName &&
      event.object.metadata.namespace === namespace
    ) {
      finish();
    }
  });
  const finish = () => {
    stop();
    unsubscribe();
    if (!res.writableEnded) res.end();
  };
  req.on('close', finish);
}
