import type { ToolGroup } from '@cnpg-mcp/catalog';
import type { Identity } from '../identity.js';
import { type Access, type Policy, PolicyDenied, requireWritable } from '../policy.js';
import type { ToolImplementation } from './context.js';

/** What a connection chose to see: toolsets and read-only mode, and how (for messages). */
export interface ToolSelection {
  toolsets: readonly ToolGroup[];
  readOnly: boolean;
  /** How each was chosen, for messages: "the X-MCP-Toolsets header", "the URL /mcp/x/backups"… */
  toolsetsBy: string;
  readOnlyBy: string;
}

/** Why a tool is not offered: in words, and the policy rule that decides it (none for the connection's own choice). */
export interface NotOffered {
  reason: string;
  rule?: string;
}

/**
 * Why this caller is not offered the tool on this connection, or undefined when it is. A tool is
 * hidden when the policy keeps its toolset from the person, the connection did not select it, the
 * connection is read-only and the tool is not, the person may not write (read-only policy, token
 * without the write scope) and it writes, or its own gate refuses the person (credential_reveal).
 * Hidden tools are not listed and their calls are refused with this reason.
 */
export function hiddenReason(
  tool: ToolImplementation,
  caller: { identity: Identity; access: Access },
  selection: ToolSelection,
  policy: Policy,
): NotOffered | undefined {
  const { group, annotations, requiredScope } = tool.definition;
  if (group !== null) {
    if (!caller.access.toolsets.includes(group)) {
      return { reason: `the policy does not let you use the ${group} tools`, rule: 'toolsets' };
    }
    if (!selection.toolsets.includes(group)) {
      return {
        reason: `the ${group} toolset is not selected on this connection (${selection.toolsetsBy}: ${selection.toolsets.join(', ')})`,
      };
    }
  }
  if (selection.readOnly && !annotations.readOnlyHint) {
    return { reason: `this connection is read-only (${selection.readOnlyBy})` };
  }
  try {
    if (requiredScope === 'write') requireWritable(caller.access);
    tool.gate?.({ ...caller, policy });
  } catch (error) {
    if (error instanceof PolicyDenied) return { reason: error.message, rule: error.rule };
    throw error;
  }
  return undefined;
}
