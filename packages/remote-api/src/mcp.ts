import { CONFIRMATION_NEEDED_META, serverInstructions, toolListForMcp } from '@cnpg-mcp/catalog';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { AuditLog, AuditOutcome } from './audit.js';
import type { RemoteApiConfig } from './config.js';
import type { Identity } from './identity.js';
import type { Kube } from './kube/client.js';
import { describeKubeError, translateKubeError } from './kube/errors.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { type Access, type Policy, PolicyDenied } from './policy.js';
import { registerPromptsAndResources } from './prompts-resources.js';
import type { QuotaLedger } from './quota/ledger.js';
import { ToolFailure } from './tools/context.js';
import { boundStructured, truncate } from './tools/framework/bounded.js';
import { type AskPerson, NotConfirmed } from './tools/framework/confirm.js';
import { type CallEnvironment, type CallTrace, executeTool } from './tools/framework/execute.js';
import { auditReference } from './tools/framework/references.js';
import { UndeclaredWrite } from './tools/framework/writer.js';
import { implementations } from './tools/registry.js';
import { hiddenReason, type ToolSelection } from './tools/visibility.js';

export { truncate } from './tools/framework/bounded.js';

export const SERVER_INFO = { name: 'cnpg-mcp-remote', version: '0.1.0' };

/**
 * Tool calls in progress in this process, by caller and JSON-RPC id. A stateless server gets
 * `notifications/cancelled` in a later HTTP request (to a fresh MCP server), so cancellation
 * goes through this map rather than the SDK's per-connection bookkeeping. One person's clients
 * (Claude Desktop and Claude Code, say) number their requests alike and a stateless request does
 * not say which client sent it, so while two calls of one caller share an id a cancellation
 * with that id aborts neither: it could be the other client's.
 */
export class InFlightCalls {
  private readonly calls = new Map<string, { controllers: Set<AbortController>; shared: boolean }>();
  private static key(identity: Identity, requestId: string | number) {
    return `${identity.issuer}\n${identity.sub}\n${String(requestId)}`;
  }
  /** The call's signal: aborted by a cancellation, or when `parent` (the request's own) is. */
  start(
    identity: Identity,
    requestId: string | number,
    parent: AbortSignal,
  ): { signal: AbortSignal; done(): void } {
    const key = InFlightCalls.key(identity, requestId);
    const controller = new AbortController();
    const abort = () => controller.abort(parent.reason);
    if (parent.aborted) abort();
    else parent.addEventListener('abort', abort, { once: true });
    const entry = this.calls.get(key) ?? { controllers: new Set<AbortController>(), shared: false };
    entry.controllers.add(controller);
    // Shared until every call with the id has ended: a late cancellation could be for either.
    if (entry.controllers.size > 1) entry.shared = true;
    this.calls.set(key, entry);
    return {
      signal: controller.signal,
      done: () => {
        parent.removeEventListener('abort', abort);
        entry.controllers.delete(controller);
        if (entry.controllers.size === 0 && this.calls.get(key) === entry) this.calls.delete(key);
      },
    };
  }
  /** Cancels the caller's own call with that id; true when exactly one such call was running. */
  cancel(identity: Identity, requestId: string | number): boolean {
    const entry = this.calls.get(InFlightCalls.key(identity, requestId));
    if (!entry || entry.shared) return false;
    for (const controller of entry.controllers) controller.abort();
    return entry.controllers.size > 0;
  }
}

export interface McpDeps {
  config: RemoteApiConfig;
  policy: Policy;
  kube: Kube;
  /** Counts quotas in the Kubernetes API, atomically across calls and replicas. */
  quotaLedger: QuotaLedger;
  log: Logger;
  audit: AuditLog;
  metrics: Metrics;
  inFlight: InFlightCalls;
}

export interface Caller {
  identity: Identity;
  access: Access;
}

/** What one request's MCP server needs to know beyond who calls. */
export interface RequestContext {
  /** The toolsets and read-only mode this connection chose (or the server's default). */
  selection: ToolSelection;
  /**
   * Asks the person a question on the call's event stream (MCP elicitation); undefined when the
   * client cannot be asked, or elicitation is off: then `confirm` is what confirms.
   */
  ask?: (
    question: string,
    call: { requestId: string | number; signal: AbortSignal },
  ) => ReturnType<AskPerson>;
}

/** Who calls, on what connection: one request's part of a server shared by many. */
export interface RequestCall {
  caller: Caller;
  context: RequestContext;
}

/**
 * The SDK hands a request's AuthInfo to its handlers (extra.authInfo): that is how a server
 * serving many requests knows whose this one is. It carries no token (none is needed past the
 * check, and the remote API never passes one on).
 */
export function authInfoFor(call: RequestCall): AuthInfo {
  return { token: '', clientId: '', scopes: call.caller.identity.scopes, extra: { call } };
}

function callOf(extra: { authInfo?: AuthInfo | undefined }): RequestCall {
  const call = extra.authInfo?.extra?.call as RequestCall | undefined;
  if (!call) throw new McpError(ErrorCode.InternalError, 'request without a caller');
  return call;
}

const errorResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** Splits a call's arguments into those the tool knows and the names of the others (e.g. Gemini CLI's wait_for_previous). */
function knownArguments(shape: object, raw: Record<string, unknown>) {
  const known: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (Object.hasOwn(shape, key)) known[key] = value;
    else ignored.push(key);
  }
  return { known, ignored };
}

/**
 * Every per-request Server would otherwise build its own Ajv instance (the SDK's default), the
 * largest cost of a stateless request; one shared validator serves them all.
 */
const jsonSchemaValidator = new AjvJsonSchemaValidator();

/**
 * A stateless MCP server, reused for request after request (one at a time): each request's caller
 * and connection come with it (authInfoFor). It lists and runs only the tools that caller may use
 * on that connection; it announces no list changes, having no stream to send them on (a caller's
 * list changes only with a new token, policy or connection).
 */
export function createMcpServer(deps: McpDeps): Server {
  const server = new Server(SERVER_INFO, {
    jsonSchemaValidator,
    capabilities: { tools: {} },
    instructions: serverInstructions,
  });
  const hiddenFor =
    ({ caller, context }: RequestCall) =>
    (name: string) => {
      const tool = implementations.get(name);
      return tool ? hiddenReason(tool, caller, context.selection, deps.policy) : undefined;
    };
  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => {
    const hidden = hiddenFor(callOf(extra));
    return { tools: toolListForMcp().filter((listing) => hidden(listing.name) === undefined) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { caller, context } = callOf(extra);
    const hidden = hiddenFor({ caller, context });
    const tool = implementations.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} not found`);
    const started = performance.now();
    const { known: rawArgs, ignored } = knownArguments(
      tool.definition.inputSchema.shape,
      (request.params.arguments ?? {}) as Record<string, unknown>,
    );
    const auditTarget = {
      namespace: typeof rawArgs.namespace === 'string' ? rawArgs.namespace : deps.config.defaultNamespace,
      name: typeof rawArgs.name === 'string' ? rawArgs.name : '',
      dryRun: rawArgs.dry_run === true,
    };
    const trace: CallTrace = { references: [], writes: [] };
    const finish = (outcome: AuditOutcome, reason: string, result: CallToolResult): CallToolResult => {
      if (ignored.length > 0) {
        const names = ignored.join(', ');
        result.content.push({
          type: 'text',
          text: `Ignored unknown argument${ignored.length > 1 ? 's' : ''} ${names}: ${tool.definition.name} does not take ${ignored.length > 1 ? 'them' : 'it'}.`,
        });
      }
      const durationMs = Math.round(performance.now() - started);
      deps.audit.record({
        userId: caller.identity.userId,
        sub: caller.identity.sub,
        issuer: caller.identity.issuer,
        tool: tool.definition.name,
        ...auditTarget,
        references: trace.references.map(auditReference),
        writes: trace.writes,
        outcome,
        reason,
        durationMs,
      });
      deps.metrics.toolCalls.inc({ tool: tool.definition.name, outcome });
      deps.metrics.toolDuration.observe({ tool: tool.definition.name }, durationMs / 1000);
      return result;
    };

    const notOffered = hidden(tool.definition.name);
    if (notOffered !== undefined) {
      const rule = notOffered.rule ? ` (rule ${notOffered.rule})` : '';
      return finish(
        'denied',
        notOffered.rule ?? 'not_selected',
        errorResult(
          `${tool.definition.name} is not available here${rule}: ${notOffered.reason}. Nothing was run.`,
        ),
      );
    }

    const parsed = tool.definition.inputSchema.safeParse(rawArgs);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => {
        const field = issue.path.length
          ? issue.path.join('.')
          : issue.code === 'unrecognized_keys'
            ? '(arguments)'
            : '(arguments)';
        return `  - ${field}: ${issue.message}`;
      });
      return finish(
        'invalid_input',
        'schema',
        errorResult(
          `Invalid input for ${tool.definition.name}; nothing was written.\n${problems.join('\n')}`,
        ),
      );
    }

    const progressToken = request.params._meta?.progressToken;
    const call = deps.inFlight.start(caller.identity, extra.requestId, extra.signal);
    const signal = call.signal;
    const environment: CallEnvironment = {
      identity: caller.identity,
      access: caller.access,
      policy: deps.policy,
      config: deps.config,
      apis: deps.kube.apisFor(caller.identity),
      quota: deps.quotaLedger,
      log: deps.log,
      signal,
      ...(context.ask
        ? { ask: (question: string) => context.ask!(question, { requestId: extra.requestId, signal }) }
        : {}),
      progress: async (progress, total, message) => {
        if (progressToken === undefined || signal.aborted) return;
        // A client that went away must not turn a finished write into a tool failure.
        await extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, ...(total !== undefined ? { total } : {}), message },
          })
          .catch((error: unknown) => deps.log.debug('progress notification not delivered', { error }));
      },
    };
    try {
      const outcome = await executeTool(tool, parsed.data as Record<string, unknown>, environment, trace);
      const checked = tool.definition.outputSchema.safeParse(outcome.structured);
      if (!checked.success) {
        deps.log.error('tool output does not match its schema', {
          tool: tool.definition.name,
          issues: checked.error.issues.slice(0, 5),
        });
        return finish(
          'error',
          'output_schema',
          errorResult(`Internal error: ${tool.definition.name} produced an invalid result.`),
        );
      }
      const bounded = boundStructured(outcome.structured);
      if (bounded.tooLarge) {
        return finish(
          'error',
          'result_too_large',
          errorResult(
            `The result of ${tool.definition.name} is too large to send (over 25,000 characters); ask for less (e.g. detail "concise", a filter, or limit).`,
          ),
        );
      }
      const content: CallToolResult['content'] = [
        { type: 'text', text: truncate(outcome.text, bounded.trimmed.length === 0) },
      ];
      if (bounded.trimmed.length > 0) {
        const paged = 'continue' in tool.definition.inputSchema.shape;
        content.push({
          type: 'text',
          text: `The structured result was cut to fit 25,000 characters (${bounded.trimmed.join('; ')})${paged ? '; use limit and continue to get the rest' : '; narrow the request to get the rest'}.`,
        });
      }
      const result: CallToolResult = {
        content,
        structuredContent: bounded.structured,
        ...(outcome.confirmationNeeded === undefined
          ? {}
          : { _meta: { [CONFIRMATION_NEEDED_META]: outcome.confirmationNeeded } }),
      };
      return finish(signal.aborted ? 'cancelled' : 'success', '', result);
    } catch (error) {
      if (error instanceof NotConfirmed) {
        return finish('denied', `not_confirmed_${error.answer}`, errorResult(error.message));
      }
      if (error instanceof PolicyDenied) {
        return finish(
          'denied',
          error.rule,
          errorResult(`Denied by policy (rule ${error.rule}): ${error.message}. Nothing was written.`),
        );
      }
      if (error instanceof ToolFailure) {
        const prefix =
          error.kind === 'invalid_input'
            ? `Invalid input for ${tool.definition.name}; nothing was written.\n  - `
            : '';
        return finish(
          error.kind === 'invalid_input' ? 'invalid_input' : 'error',
          error.kind,
          errorResult(`${prefix}${error.message}`),
        );
      }
      if (error instanceof UndeclaredWrite) {
        deps.log.error('tool wrote outside its declared references', { tool: tool.definition.name, error });
        return finish(
          'error',
          'undeclared_write',
          errorResult(
            `Internal error in ${tool.definition.name}: a write was refused by the framework; see the remote API logs.`,
          ),
        );
      }
      const kube = translateKubeError(error);
      if (kube) return finish('error', `kubernetes_${kube.kind}`, errorResult(describeKubeError(kube)));
      deps.log.error('tool failed', { tool: tool.definition.name, error });
      return finish(
        'error',
        'internal',
        errorResult(`Internal error in ${tool.definition.name}; see the remote API logs.`),
      );
    } finally {
      call.done();
    }
  });
  registerPromptsAndResources(server, deps, (extra) => callOf(extra).caller);
  return server;
}
