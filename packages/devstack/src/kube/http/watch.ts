/** Watch streams: one JSON event per line over a chunked response, resumable by resourceVersion. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expired } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import { type FieldSelector, type LabelSelector, matchesFields, matchesLabels } from '../api/selectors.js';
import type { ObjectStore, StoreEvent } from '../api/store.js';
import type { KubeObject } from '../types.js';

export interface WatchOptions {
  namespace?: string;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  /** Renders event objects differently (Table rows for kubectl). */
  render?: (obj: KubeObject) => unknown;
}

export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  rt: ResourceType,
  opts: WatchOptions,
): void {
  const matches = (obj: KubeObject | undefined) =>
    obj !== undefined &&
    (opts.namespace === undefined || obj.metadata.namespace === opts.namespace) &&
    matchesLabels(opts.labelSelector, obj.metadata.labels) &&
    matchesFields(opts.fieldSelector, obj);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    const shown =
      opts.render && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
        ? opts.render(object as KubeObject)
        : object;
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object: shown })}\n`);
  };
  const translate = (event: StoreEvent) => {
    if (event.rt !== rt) return;
    const now = matches(event.object);
    const before = event.type !== 'ADDED' && matches(event.previous);
    if (event.type === 'DELETED') {
      if (before || now) write('DELETED', event.object);
    } else if (event.type === 'ADDED') {
      if (now) write('ADDED', event.object);
    } else if (now && before) write('MODIFIED', event.object);
    else if (now) write('ADDED', event.object);
    else if (before) write('DELETED', event.object);
  };

  const rv = opts.resourceVersion;
  if (!rv || rv === '0') {
    for (const obj of store.list(rt, opts.namespace)) if (matches(obj)) write('ADDED', obj);
  } else {
    const since = store.eventsSince(Number(rv));
    if (since === undefined || !/^\d+$/.test(rv)) {
      write('ERROR', expired(`too old resource version: ${rv} (${store.oldestResumableRevision})`).body);
      res.end();
      return;
    }
    for (const event of since) translate(event);
  }
  if (opts.allowWatchBookmarks) {
    write('BOOKMARK', {
      kind: rt.kind,
      apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
      metadata: { resourceVersion: String(store.currentRevision) },
    });
  }
  const unsubscribe = store.subscribe(translate);
  const finish = () => {
    unsubscribe();
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(finish, (opts.timeoutSeconds ?? 1800) * 1000);
  req.on('close', finish);
  res.on('close', finish);
  // The client may have gone while the request waited (a latency fault): nothing will close it again.
  if (req.destroyed || res.destroyed) finish();
}

/** The watch streams being served, so a test can end them all as an API server restart would. */
export class OpenWatches {
  private readonly responses = new Set<ServerResponse>();

  track(res: ServerResponse): void {
    this.responses.add(res);
    res.on('close', () => this.responses.delete(res));
  }

  /** Ends every stream cleanly (`end`, as a server-side timeout does) or cuts its connection (`drop`). */
  interrupt(mode: 'end' | 'drop'): number {
    const open = [...this.responses];
    for (const res of open) {
      if (mode === 'end') res.end();
      else res.socket?.destroy();
    }
    return open.length;
  }
}
