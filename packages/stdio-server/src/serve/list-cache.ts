import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';

/** What the stdio server answers list requests with before (and without) reaching the remote. */
export interface ServedLists {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  instructions?: string;
}

export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

export { catalogLists } from './catalog-lists.js';

/** Cache file of the remote's last lists, one per remote URL, in the user's cache directory. */
export function listCachePath(cacheDir: string, remoteUrl: string): string {
  const key = createHash('sha256').update(remoteUrl).digest('hex').slice(0, 16);
  return join(cacheDir, `lists-${key}.json`);
}

function isArrayOfObjects(value: unknown): value is object[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null);
}

/** Reads the cache; a missing or damaged file means "use the catalogue". */
export async function readListCache(path: string): Promise<ServedLists | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const lists = parsed as Record<string, unknown>;
  if (
    !isArrayOfObjects(lists.tools) ||
    !isArrayOfObjects(lists.prompts) ||
    !isArrayOfObjects(lists.resources) ||
    !isArrayOfObjects(lists.resourceTemplates)
  ) {
    return undefined;
  }
  return {
    tools: lists.tools as Tool[],
    prompts: lists.prompts as Prompt[],
    resources: lists.resources as Resource[],
    resourceTemplates: lists.resourceTemplates as ResourceTemplate[],
    instructions: typeof lists.instructions === 'string' ? lists.instructions : undefined,
  };
}

/** Writes the cache atomically (temp file + rename) so concurrent servers never read half a file. */
export async function writeListCache(path: string, lists: ServedLists): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(lists, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/** Order-insensitive comparison of two lists of named items by their JSON. */
export function sameList(a: readonly object[], b: readonly object[]): boolean {
  const key = (items: readonly object[]) =>
    items
      .map((item) => JSON.stringify(item))
      .sort()
      .join('\n');
  return a.length === b.length && key(a) === key(b);
}
