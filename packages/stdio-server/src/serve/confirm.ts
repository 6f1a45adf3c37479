import {
  CONFIRMATION_NEEDED_META,
  confirmationQuestion,
  confirmMetaOf,
  type SelectableListing,
} from '@cnpg-mcp/catalog/selection';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type CallToolResult,
  type ClientCapabilities,
  ErrorCode,
  type JSONRPCRequest,
  McpError,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';

/** How long the person has to answer before the call is dropped (nothing is sent). */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/** Whether the client said it can ask the person (form elicitation; an empty `elicitation: {}` means form). */
export function canAskPerson(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
}

/**
 * The client's capabilities as declared to the remote: without elicitation, because this server
 * asks the person itself, before it forwards, and the remote must not ask again.
 */
export function capabilitiesForRemote(capabilities: ClientCapabilities | undefined): ClientCapabilities {
  const { elicitation: _asked_here, ...rest } = capabilities ?? {};
  return rest;
}

const notRun = (name: string, why: string): CallToolResult => ({
  content: [{ type: 'text', text: `${name} did not run: ${why}. Nothing was sent to the server.` }],
  isError: true,
});

/**
 * A tools/call the person must confirm (the listing's confirmation, not a dry run), put to them
 * before it goes on when the client can ask: accepted, it goes on with `confirm` repeating what
 * they accepted (whatever the model wrote there); otherwise it does not run. For tools only some of
 * whose calls are confirmed (a scale-down, a major upgrade), the same call as a dry run goes first
 * (`dryRun`), and its result says whether to ask (a refused dry run is the answer). Calls the client
 * cannot ask about go on unchanged: the remote checks `confirm` as for any client.
 */
export async function confirmBeforeForwarding(
  server: Server,
  request: JSONRPCRequest,
  tools: readonly SelectableListing[],
  signal: AbortSignal,
  dryRun: (request: JSONRPCRequest) => Promise<ServerResult>,
): Promise<{ forward: JSONRPCRequest } | { refused: CallToolResult }> {
  const params = request.params as { name?: unknown; arguments?: Record<string, unknown> } | undefined;
  const name = typeof params?.name === 'string' ? params.name : undefined;
  const listing = name === undefined ? undefined : tools.find((tool) => tool.name === name);
  const meta = listing && confirmMetaOf(listing);
  const args = params?.arguments ?? {};
  if (!name || !meta || args.dry_run === true || !canAskPerson(server.getClientCapabilities())) {
    return { forward: request };
  }
  if (meta.onlySome) {
    const probe = (await dryRun({
      ...request,
      params: { ...params, arguments: { ...args, dry_run: true } },
    })) as CallToolResult;
    if (probe.isError) return { refused: probe };
    if (probe._meta?.[CONFIRMATION_NEEDED_META] === false) return { forward: request };
  }
  let action: string;
  try {
    ({ action } = await server.elicitInput(
      {
        mode: 'form',
        message: confirmationQuestion(meta.question, args),
        requestedSchema: { type: 'object', properties: {} },
      },
      { signal, timeout: ANSWER_TIMEOUT_MS },
    ));
  } catch (error) {
    if (signal.aborted) return { refused: notRun(name, 'the call was cancelled') };
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return { refused: notRun(name, 'the person did not answer in time') };
    }
    return { refused: notRun(name, `the person could not be asked (${(error as Error).message})`) };
  }
  if (action === 'decline') return { refused: notRun(name, 'the person declined') };
  if (action !== 'accept') return { refused: notRun(name, 'the person dismissed the question') };
  const confirmed = meta.field && typeof args[meta.field] === 'string' ? { confirm: args[meta.field] } : {};
  return { forward: { ...request, params: { ...params, arguments: { ...args, ...confirmed } } } };
}
