import type { ToolDefinition } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { RemoteApiConfig } from '../config.js';
import type { Identity } from '../identity.js';
import type { Logger } from '../log.js';
import type { Access, Policy } from '../policy.js';
import type { QuotaLedger } from '../quota/ledger.js';
import type { KubeReads } from './framework/kube-reads.js';
import type { Observed, References } from './framework/references.js';
import type { Writer } from './framework/writer.js';

/** Everything a tool needs for one call. */
export interface ToolContext {
  identity: Identity;
  access: Access;
  policy: Policy;
  config: RemoteApiConfig;
  /** Reads only; every write goes through `write`. */
  kube: KubeReads;
  log: Logger;
  /** The quota ledger: reserve before creating what a quota counts (quota/cluster-quota.ts). */
  quota: QuotaLedger;
  /** The call's namespace (the argument or the server default), already checked against the policy. */
  namespace: string;
  /** The tool's declared references as read and checked before it ran, by key. */
  seen: Observed;
  /** The checked way to write: declared targets and references only. */
  write: Writer;
  /** Aborted when the client cancels the call (notifications/cancelled) or disconnects. */
  signal: AbortSignal;
  /** Sends notifications/progress when the client asked for progress; otherwise does nothing. */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
}

/** A successful tool result: structured content (validated against the output schema) and text for people. */
export interface ToolOutcome {
  structured: Record<string, unknown>;
  text: string;
  /** Set by the framework on a dry run of a tool the person confirms: whether the real call would ask. */
  confirmationNeeded?: boolean;
}

/** A refusal that is not a policy denial or a Kubernetes error: missing confirmation, bad combination, unmet precondition. */
export class ToolFailure extends Error {
  constructor(
    readonly kind: 'invalid_input' | 'confirmation_required' | 'precondition' | 'not_found',
    message: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

/**
 * One tool's implementation: its catalogue entry, every object it touches (declared, so the
 * framework checks namespace and ownership of each before the tool runs and audits them), and
 * `run`, which plans with a pure function and does the I/O.
 */
export interface ToolModule<D extends ToolDefinition = ToolDefinition> {
  definition: D;
  /**
   * A policy check that depends only on who calls, run before any reference is read: a call the
   * policy refuses outright reads nothing (credential_reveal: the credentialReveal rule).
   */
  gate?(caller: Pick<ToolContext, 'identity' | 'access' | 'policy'>): void;
  references: References<z.output<D['inputSchema']>>;
  /**
   * For a tool whose catalogue entry asks the person to confirm but only some of its calls are
   * destructive (a scale-down, a major upgrade): whether this one is, from what the references
   * read. Without it every call that is not a dry run is confirmed.
   */
  needsConfirmation?(args: z.output<D['inputSchema']>, ctx: Pick<ToolContext, 'seen' | 'access'>): boolean;
  run(args: z.output<D['inputSchema']>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** Binds a catalogue entry to its references and run step, with argument types inferred from the schema. */
export function defineTool<D extends ToolDefinition>(module: ToolModule<D>): ToolModule {
  return module as unknown as ToolModule;
}

export type ToolImplementation = ToolModule;
