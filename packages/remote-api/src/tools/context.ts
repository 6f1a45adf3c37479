import type { ToolDefinition } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { RemoteApiConfig } from '../config.js';
import type { Identity } from '../identity.js';
import type { KubeApis } from '../kube/client.js';
import type { Logger } from '../log.js';
import type { Access, Policy } from '../policy.js';

/** Everything a tool needs for one call. */
export interface ToolContext {
  identity: Identity;
  access: Access;
  policy: Policy;
  config: RemoteApiConfig;
  kube: KubeApis;
  log: Logger;
  /** Aborted when the client cancels the call (notifications/cancelled) or disconnects. */
  signal: AbortSignal;
  /** Sends notifications/progress when the client asked for progress; otherwise does nothing. */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
}

/** A successful tool result: structured content (validated against the output schema) and text for people. */
export interface ToolOutcome {
  structured: Record<string, unknown>;
  text: string;
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

export interface ToolImplementation {
  definition: ToolDefinition;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** Binds a catalog entry to its implementation, with the argument type inferred from the input schema. */
export function implement<D extends ToolDefinition>(
  definition: D,
  run: (args: z.output<D['inputSchema']>, ctx: ToolContext) => Promise<ToolOutcome>,
): ToolImplementation {
  return { definition, run: run as ToolImplementation['run'] };
}
