import type { RemoteApiConfig } from '../../config.js';
import type { Identity } from '../../identity.js';
import type { KubeApis } from '../../kube/client.js';
import type { Logger } from '../../log.js';
import { type Access, type Policy, requireNamespace, requireWritable } from '../../policy.js';
import type { QuotaLedger } from '../../quota/ledger.js';
import type { ToolImplementation, ToolOutcome } from '../context.js';
import { type AskPerson, confirmedArgs, needsConfirmation } from './confirm.js';
import type { ResolvedReference } from './references.js';
import { resolveReferences } from './resolve.js';
import { withWarnings } from './warnings.js';
import { Writer } from './writer.js';

/** Who calls and with what, for one tool call. */
export interface CallEnvironment {
  identity: Identity;
  access: Access;
  policy: Policy;
  config: RemoteApiConfig;
  log: Logger;
  apis: KubeApis;
  quota: QuotaLedger;
  signal: AbortSignal;
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
  /** Asks the person through the client (MCP elicitation); undefined when the client cannot be asked. */
  ask?: AskPerson;
}

/** What a call touched, for the audit line; filled in as the call goes, so a refusal still shows it. */
export interface CallTrace {
  references: ResolvedReference[];
  writes: string[];
}

/**
 * Runs one tool call with the framework's checks: the write scope and read-only policy for write
 * tools, the tool's own gate (who may call it at all), the namespace, then every declared
 * reference (existence, ownership), then the person's confirmation where the catalogue asks for
 * it, before the tool's own step runs with a Writer bound to those references.
 */
export async function executeTool(
  tool: ToolImplementation,
  args: Record<string, unknown>,
  env: CallEnvironment,
  trace: CallTrace = { references: [], writes: [] },
): Promise<ToolOutcome> {
  if (tool.definition.requiredScope === 'write') requireWritable(env.access);
  const namespace = typeof args.namespace === 'string' ? args.namespace : env.config.defaultNamespace;
  const base = {
    identity: env.identity,
    access: env.access,
    policy: env.policy,
    config: env.config,
    log: env.log,
    namespace,
    quota: env.quota,
    signal: env.signal,
    progress: env.progress,
  };
  tool.gate?.(env);
  const spansNamespaces = args.all_namespaces === true;
  if ('namespace' in tool.definition.inputSchema.shape && !spansNamespaces)
    requireNamespace(env.access, namespace);
  // A write tool decides on what the API server holds now, so its reads skip the watch cache
  // (which may trail a change made elsewhere by a moment); read tools are served from it.
  const apis: KubeApis =
    tool.definition.requiredScope === 'write' ? { ...env.apis, reads: undefined } : env.apis;
  const { references, observed } = await resolveReferences(
    tool.references,
    args,
    { apis, namespace, identity: env.identity, access: env.access },
    trace.references,
  );
  const confirmed = await confirmedArgs(tool, args, {
    namespace,
    seen: observed,
    access: env.access,
    ask: env.ask,
  });
  const write = new Writer(
    tool.definition.name,
    env.apis,
    env.identity,
    namespace,
    references,
    observed,
    args.dry_run === true,
  );
  try {
    const outcome = await tool.run(confirmed, { ...base, kube: apis.reads ?? apis, seen: observed, write });
    const warned = withWarnings(outcome, write.warnings, 'warnings' in tool.definition.outputSchema.shape);
    // A dry run of a tool whose confirmation only some calls need says whether the real one would ask.
    if (args.dry_run !== true || !tool.definition.confirmation?.onlySome) return warned;
    return {
      ...warned,
      confirmationNeeded: needsConfirmation(tool, args, { seen: observed, access: env.access }),
    };
  } finally {
    trace.writes = write.done;
  }
}
