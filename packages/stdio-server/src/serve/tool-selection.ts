import {
  DEFAULT_TOOLSETS,
  hiddenBecause,
  parseToolsets,
  type SelectableListing,
  type ToolSelection,
  toolsetOf,
} from '@cnpg-mcp/catalog/selection';

/** The selection the toolsets and readOnly settings make (checked at start-up: see resolveToolSelection). */
export function selectionOf(settings: { toolsets: string; readOnly: boolean }): ToolSelection {
  return { toolsets: parseToolsets(settings.toolsets), readOnly: settings.readOnly };
}

/** The headers that tell the remote what this server offers, so its lists and refusals match. */
export function selectionHeaders(selection: ToolSelection): Record<string, string> {
  return {
    'X-MCP-Toolsets': selection.toolsets.join(','),
    ...(selection.readOnly ? { 'X-MCP-Readonly': 'true' } : {}),
  };
}

/** The listed tools the selection shows. */
export function selectedTools<T extends SelectableListing>(
  tools: readonly T[],
  selection: ToolSelection,
): T[] {
  return tools.filter((tool) => hiddenBecause(tool, selection) === undefined);
}

/** A name for the cache of lists: the default selection keeps the plain remote URL. */
export function selectionKey(selection: ToolSelection): string {
  const isDefault =
    !selection.readOnly &&
    selection.toolsets.length === DEFAULT_TOOLSETS.length &&
    DEFAULT_TOOLSETS.every((name) => selection.toolsets.includes(name));
  return isDefault
    ? ''
    : `#toolsets=${selection.toolsets.join(',')}${selection.readOnly ? '&read-only' : ''}`;
}

/**
 * Why this server does not offer a tool the catalogue has, in words for the model and the person,
 * or undefined when the selection shows it (the remote may still refuse it: the policy decides).
 */
export function notOfferedBecause(
  name: string,
  catalogue: readonly SelectableListing[],
  selection: ToolSelection,
): string | undefined {
  const listing = catalogue.find((tool) => tool.name === name);
  if (!listing) return undefined;
  const why = hiddenBecause(listing, selection);
  if (why === 'toolset') {
    return `its toolset "${toolsetOf(listing)}" is not selected (toolsets: ${selection.toolsets.join(', ')}; change them with --toolsets, CNPG_MCP_TOOLSETS or "toolsets" in the config file)`;
  }
  if (why === 'read_only') return 'cnpg-mcp runs read-only (--read-only, CNPG_MCP_READ_ONLY or "readOnly")';
  return undefined;
}
