import type { IncomingHttpHeaders } from 'node:http';
import { parseToolsets, ToolsetError } from '@cnpg-mcp/catalog';
import type { ToolSelection } from '../tools/visibility.js';

/** Headers a client (or the stdio server) chooses toolsets and read-only mode with, as github-mcp-server does. */
export const TOOLSETS_HEADER = 'x-mcp-toolsets';
export const READ_ONLY_HEADER = 'x-mcp-readonly';

/**
 * The MCP endpoint's paths: /mcp, /mcp/readonly, /mcp/x/<toolsets> and /mcp/x/<toolsets>/readonly
 * (toolsets comma-separated), for URL-only clients that cannot set headers.
 */
const MCP_PATH = /^\/mcp(?:\/x\/([^/]+))?(\/readonly)?\/?$/;

export function isMcpPath(path: string): boolean {
  return path === '/mcp' || path.startsWith('/mcp/');
}

/** A selection the request names wrongly (400), or a path under /mcp that is no endpoint (404). */
export class SelectionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
    this.name = 'SelectionError';
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * What the request selects: toolsets from the X-MCP-Toolsets header, else the URL path, else the
 * server default; read-only when the path ends in /readonly or X-MCP-Readonly is true.
 */
export function toolSelection(
  path: string,
  headers: IncomingHttpHeaders,
  defaults: readonly ToolSelection['toolsets'][number][],
): ToolSelection {
  const match = MCP_PATH.exec(path);
  if (!match) {
    throw new SelectionError(
      `no MCP endpoint at ${path}: use /mcp, /mcp/readonly, /mcp/x/<toolsets> or /mcp/x/<toolsets>/readonly`,
      404,
    );
  }
  const header = single(headers[TOOLSETS_HEADER]);
  const readOnlyHeader = single(headers[READ_ONLY_HEADER])?.trim().toLowerCase();
  if (readOnlyHeader !== undefined && !['true', 'false', '1', '0'].includes(readOnlyHeader)) {
    throw new SelectionError(`X-MCP-Readonly: expected true or false, got "${readOnlyHeader}"`);
  }
  const readOnlyBy =
    match[2] !== undefined
      ? `the URL ${path}`
      : readOnlyHeader === 'true' || readOnlyHeader === '1'
        ? 'the X-MCP-Readonly header'
        : '';
  const pathToolsets = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  const chosen = (toolsets: ToolSelection['toolsets'], toolsetsBy: string): ToolSelection => ({
    toolsets,
    toolsetsBy,
    readOnly: readOnlyBy !== '',
    readOnlyBy,
  });
  try {
    if (header !== undefined) return chosen(parseToolsets(header), 'the X-MCP-Toolsets header');
    if (pathToolsets !== undefined) return chosen(parseToolsets(pathToolsets), `the URL ${path}`);
  } catch (error) {
    if (error instanceof ToolsetError) throw new SelectionError(`toolsets: ${error.message}`);
    throw error;
  }
  return chosen(defaults, "the server's default toolsets (TOOLSETS)");
}
