import type { ToolGroup } from './types.js';

/**
 * Which tools a client sees (toolsets, read-only mode) and what the person confirms, computed from
 * tools/list entries alone. No schemas are loaded here: the stdio server uses it at start-up and on
 * lists it got from the remote, through the `@cnpg-mcp/catalog/selection` entry.
 */

/** `_meta` key of a listed tool: its toolset (absent for whoami, which every selection shows). */
export const TOOLSET_META = 'cnpg-mcp.io/toolset';
/** `_meta` key of a listed tool the person confirms: the question and the argument `confirm` repeats. */
export const CONFIRM_META = 'cnpg-mcp.io/confirm';
/**
 * `_meta` key of a dry run's result, for tools whose confirmation only some calls need: whether the
 * same call without dry_run would ask the person.
 */
export const CONFIRMATION_NEEDED_META = 'cnpg-mcp.io/confirmation-needed';

export interface ConfirmMeta {
  question: string;
  field?: 'name' | 'instance';
  /** Only some calls are confirmed; a dry run says whether this one would be. */
  onlySome?: true;
}

// A type, not an interface: it must fit the SDK's `_meta` (a record of unknown values).
export type ListingMeta = {
  'cnpg-mcp.io/toolset'?: ToolGroup;
  'cnpg-mcp.io/confirm'?: ConfirmMeta;
};

/** Every toolset, in the order people read them, with what it holds. */
export const TOOLSETS: Readonly<Record<ToolGroup, string>> = {
  cluster:
    'clusters: list, status, create, scale, parameters, image upgrades, restarts, hibernation, fencing, switchover, storage, maintenance, delete',
  observability: 'pods, events, logs and connection details of a cluster',
  credentials: 'reveal a role’s password',
  roles: 'PostgreSQL roles: list, create, update, rotate passwords, delete',
  databases: 'databases with their extensions and schemas',
  backups: 'backups, scheduled backups, restore into a new cluster',
  poolers: 'PgBouncer poolers',
  logical: 'logical replication: publications and subscriptions',
};

export const TOOLSET_NAMES = Object.keys(TOOLSETS) as ToolGroup[];

/** What day-to-day work needs: the clusters and what they are doing. */
export const DEFAULT_TOOLSETS: readonly ToolGroup[] = ['cluster', 'observability'];

export interface ToolSelection {
  toolsets: readonly ToolGroup[];
  /** Only tools announced read-only (readOnlyHint): nothing that writes or reveals a secret. */
  readOnly: boolean;
}

export const DEFAULT_SELECTION: ToolSelection = { toolsets: DEFAULT_TOOLSETS, readOnly: false };

export class ToolsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolsetError';
  }
}

export const TOOLSETS_EXPECTED = `a comma-separated list of ${TOOLSET_NAMES.join(', ')}, "default" (${DEFAULT_TOOLSETS.join(', ')}) or "all"`;

/** Parses "cluster,backups", "default,roles" or "all"; empty means the default set. Unknown names throw, naming them. */
export function parseToolsets(text: string): ToolGroup[] {
  const words = text
    .split(/[\s,]+/)
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) return [...DEFAULT_TOOLSETS];
  const chosen = new Set<ToolGroup>();
  const unknown: string[] = [];
  for (const word of words) {
    if (word === 'all') for (const name of TOOLSET_NAMES) chosen.add(name);
    else if (word === 'default') for (const name of DEFAULT_TOOLSETS) chosen.add(name);
    else if ((TOOLSET_NAMES as string[]).includes(word)) chosen.add(word as ToolGroup);
    else unknown.push(word);
  }
  if (unknown.length > 0) {
    throw new ToolsetError(
      `unknown toolset${unknown.length > 1 ? 's' : ''} ${unknown.map((w) => `"${w}"`).join(', ')}; expected ${TOOLSETS_EXPECTED}`,
    );
  }
  return TOOLSET_NAMES.filter((name) => chosen.has(name));
}

/** The parts of a tools/list entry the selection reads. */
export interface SelectableListing {
  name: string;
  annotations?: { readOnlyHint?: boolean };
  _meta?: { [key: string]: unknown };
}

export const toolsetOf = (listing: SelectableListing): ToolGroup | undefined =>
  listing._meta?.[TOOLSET_META] as ToolGroup | undefined;

/** Why a selection hides a tool, or undefined when it shows it. */
export function hiddenBecause(
  listing: SelectableListing,
  selection: ToolSelection,
): 'toolset' | 'read_only' | undefined {
  const toolset = toolsetOf(listing);
  if (toolset !== undefined && !selection.toolsets.includes(toolset)) return 'toolset';
  if (selection.readOnly && listing.annotations?.readOnlyHint !== true) return 'read_only';
  return undefined;
}

export const confirmMetaOf = (listing: SelectableListing): ConfirmMeta | undefined =>
  listing._meta?.[CONFIRM_META] as ConfirmMeta | undefined;

/** Fills `{argument}` and `{argument|text when absent}` placeholders from a call's arguments. */
export function confirmationQuestion(template: string, args: Record<string, unknown>): string {
  return template.replace(/\{([a-z_]+)(?:\|([^}]*))?\}/g, (_, name: string, absent: string | undefined) => {
    const value = args[name];
    if (value === undefined || value === null || value === '') return absent ?? '?';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
