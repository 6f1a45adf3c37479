/**
 * Keeps the emulator's objects in a JSON file across restarts (`npm start`): loaded at start when
 * the file exists, written a moment after changes (atomically: a temporary file renamed over it)
 * and once more at close. Watches cannot resume across a restart (410 Expired), as after an API
 * server's watch cache is lost.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KubeObject } from '../types.js';
import { type ResourceCatalog, resourceKey } from './resources.js';
import type { ObjectStore } from './store.js';

interface Snapshot {
  version: 1;
  revision: number;
  objects: { resource: string; object: KubeObject }[];
}

/** Loads a saved state into an empty store; false when there is none. */
export function loadState(store: ObjectStore, catalog: ResourceCatalog, path: string): boolean {
  if (!existsSync(path)) return false;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  } catch (err) {
    throw new Error(
      `the emulator's saved state ${path} cannot be read (${(err as Error).message}); delete it to start afresh`,
    );
  }
  if (snapshot.version !== 1 || !Array.isArray(snapshot.objects)) {
    throw new Error(
      `the emulator's saved state ${path} is not a version 1 snapshot; delete it to start afresh`,
    );
  }
  const types = new Map(catalog.all().map((rt) => [resourceKey(rt), rt]));
  for (const { resource, object } of snapshot.objects) {
    const rt = types.get(resource);
    if (rt) store.restore(rt, object);
  }
  return true;
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly path: string,
    private readonly delayMs = 500,
  ) {
    this.unsubscribe = store.subscribe(() => this.schedule());
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const objects: Snapshot['objects'] = [];
    for (const { rtKey, object } of this.store.entries()) objects.push({ resource: rtKey, object });
    const snapshot: Snapshot = { version: 1, revision: this.store.currentRevision, objects };
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  close(): void {
    this.unsubscribe();
    this.flush();
  }
}
