import { DEFAULT_SELECTION, type ToolSelection } from '@cnpg-mcp/catalog/selection';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { readCacheFile, remoteCachePath, writeCacheFile } from '../cache-file.js';
import { selectionKey } from './tool-selection.js';

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

/**
 * Cache file of the remote's last lists, one per remote URL and tool selection (the remote lists
 * what the selection shows), in the user's cache directory.
 */
export function listCachePath(
  cacheDir: string,
  remoteUrl: string,
  selection: ToolSelection = DEFAULT_SELECTION,
): string {
  return remoteCachePath(cacheDir, 'lists', `${remoteUrl}${selectionKey(selection)}`);
}

function isArrayOfObjects(value: unknown): value is object[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null);
}

/** Reads the cache; a missing or damaged file means "use the catalogue". */
export async function readListCache(path: string): Promise<ServedLists | undefined> {
  const parsed = await readCacheFile(path);
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

export function writeListCache(path: string, lists: ServedLists): Promise<void> {
  return writeCacheFile(path, lists);
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
