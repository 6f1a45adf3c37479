import {
  clusterUri,
  findPrompt,
  parseResourceUri,
  promptArgumentsProblem,
  promptListForMcp,
  promptText,
  resources,
  resourceTemplates,
} from '@cnpg-mcp/catalog';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { AuditLog } from './audit.js';
import type { RemoteApiConfig } from './config.js';
import type { Identity } from './identity.js';
import type { Kube } from './kube/client.js';
import { describeKubeError, translateKubeError } from './kube/errors.js';
import type { Logger } from './log.js';
import type { Access, Policy } from './policy.js';
import { PolicyDenied } from './policy.js';
import type { QuotaLedger } from './quota/ledger.js';
import { ToolFailure, type ToolOutcome } from './tools/context.js';
import { type CallEnvironment, executeTool } from './tools/framework/execute.js';
import { implementations } from './tools/registry.js';

/** MCP "resource not found" (SEP / spec error code for resources/read). */
const RESOURCE_NOT_FOUND = -32002;

export interface PromptResourceDeps {
  config: RemoteApiConfig;
  policy: Policy;
  kube: Kube;
  quotaLedger: QuotaLedger;
  log: Logger;
  audit: AuditLog;
}

/**
 * Adds prompts (from the catalogue, rendered without network) and resources (clusters and their
 * status and backups under cnpg:// URIs, read with the caller's identity and policy) to a server.
 */
export function registerPromptsAndResources(
  server: Server,
  deps: PromptResourceDeps,
  callerOf: (extra: { authInfo?: AuthInfo | undefined }) => { identity: Identity; access: Access },
): void {
  server.registerCapabilities({ prompts: { listChanged: false }, resources: { listChanged: false } });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: promptListForMcp() }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const prompt = findPrompt(request.params.name);
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Prompt ${request.params.name} not found`);
    const args = request.params.arguments ?? {};
    const problem = promptArgumentsProblem(prompt, args);
    if (problem)
      throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for prompt ${prompt.name}: ${problem}`);
    return {
      description: prompt.description,
      messages: [
        { role: 'user' as const, content: { type: 'text' as const, text: promptText(prompt, args) } },
      ],
    };
  });

  /** Resources are views of read tools: the same tool, checks and rendering. */
  const readTool = (
    caller: { identity: Identity; access: Access },
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ToolOutcome> => {
    const tool = implementations.get(name);
    if (!tool) throw new Error(`resource tool ${name} is not registered`);
    const environment: CallEnvironment = {
      identity: caller.identity,
      access: caller.access,
      policy: deps.policy,
      config: deps.config,
      apis: deps.kube.apisFor(caller.identity),
      quota: deps.quotaLedger,
      log: deps.log,
      signal,
      progress: async () => {},
    };
    return executeTool(tool, tool.definition.inputSchema.parse(args) as Record<string, unknown>, environment);
  };

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: resourceTemplates.map((t) => ({ ...t })),
  }));

  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => {
    const listed = resources.map((r) => ({ ...r }));
    try {
      const outcome = await readTool(callerOf(extra), 'cluster_list', { all_namespaces: true }, extra.signal);
      const clusters = outcome.structured.clusters as { namespace: string; name: string; phase: string }[];
      for (const c of clusters) {
        listed.push({
          uri: clusterUri(c.namespace, c.name),
          name: `${c.namespace}/${c.name}`,
          title: `Cluster ${c.namespace}/${c.name}`,
          description: `Status of cluster ${c.namespace}/${c.name} (${c.phase || 'pending'}).`,
          mimeType: 'application/json',
        });
      }
    } catch (error) {
      deps.log.warn('resources/list could not list clusters', { error: (error as Error).message });
    }
    return { resources: listed };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const caller = callerOf(extra);
    const { uri } = request.params;
    const parsed = parseResourceUri(uri);
    if (!parsed) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
    const started = performance.now();
    const target =
      parsed.kind === 'clusters'
        ? { namespace: '*', name: '' }
        : { namespace: parsed.namespace, name: parsed.name };
    const audit = (outcome: 'success' | 'error' | 'denied', reason: string) =>
      deps.audit.record({
        userId: caller.identity.userId,
        sub: caller.identity.sub,
        issuer: caller.identity.issuer,
        tool: `resources/read:${parsed.kind}`,
        ...target,
        dryRun: false,
        references: [],
        writes: [],
        outcome,
        reason,
        durationMs: Math.round(performance.now() - started),
      });
    try {
      const outcome =
        parsed.kind === 'clusters'
          ? await readTool(caller, 'cluster_list', { all_namespaces: true }, extra.signal)
          : parsed.kind === 'cluster'
            ? await readTool(
                caller,
                'cluster_status',
                { namespace: parsed.namespace, name: parsed.name },
                extra.signal,
              )
            : await readTool(
                caller,
                'backup_list',
                { namespace: parsed.namespace, cluster: parsed.name },
                extra.signal,
              );
      audit('success', '');
      return {
        contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(outcome.structured, null, 2) }],
      };
    } catch (error) {
      if (error instanceof PolicyDenied) {
        audit('denied', error.rule);
        throw new McpError(
          ErrorCode.InvalidRequest,
          `Denied by policy (rule ${error.rule}): ${error.message}`,
        );
      }
      if (error instanceof ToolFailure && error.kind === 'not_found') {
        audit('error', 'not_found');
        throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (${error.message})`, { uri });
      }
      const kube = translateKubeError(error);
      audit('error', kube ? `kubernetes_${kube.kind}` : 'internal');
      if (kube) throw new McpError(ErrorCode.InternalError, describeKubeError(kube));
      throw error;
    }
  });
}
