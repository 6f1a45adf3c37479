import { Agent as HttpAgent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** The agent settings that decide which connections may be shared (TLS identity and trust). */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * How long an idle connection is kept. Below the API server's own idle timeout (kube-apiserver
 * closes idle HTTP/1.1 connections after 90 s), so a request never lands on a connection the server
 * is closing.
 */
const IDLE_SOCKET_MS = 30_000;

type AnyAgent = HttpAgent | HttpsAgent;

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  return a === b;
}

const optionsOf = (agent: AnyAgent) => (agent as AnyAgent & { options: AgentOptions }).options;

/**
 * A KubeConfig whose API clients and watches share keep-alive connections.
 *
 * client-node 1.4 builds a new agent for every request (KubeConfig.applySecurityAuthentication for
 * API calls, applyToHTTPSOptions for watches), so every Kubernetes call opens a new TCP and TLS
 * connection. Both are public hooks: after client-node has chosen the agent's TLS settings (which
 * the kubeconfig decides, and which may change when credentials rotate), the request gets the one
 * keep-alive agent kept for those settings. Impersonation travels in headers, so impersonated calls
 * share the same connections.
 */
export class SharedAgentKubeConfig extends KubeConfig {
  private readonly agents: AnyAgent[] = [];

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const built = context.getAgent();
    if (built) context.setAgent(this.sharedAgent(built));
  }

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const target = opts as { agent?: unknown };
    if (target.agent instanceof HttpAgent) target.agent = this.sharedAgent(target.agent);
  }

  /** Connections open or idle in the shared agents, for metrics and tests. */
  socketCount(): number {
    let count = 0;
    for (const agent of this.agents) {
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)])
        count += list?.length ?? 0;
    }
    return count;
  }

  /** Closes idle connections (on shutdown). */
  destroyAgents(): void {
    for (const agent of this.agents.splice(0)) agent.destroy();
  }

  private sharedAgent(built: AnyAgent): AnyAgent {
    // Proxy agents (hpagent, socks) are other classes with their own constructors: those are kept
    // as built the first time and reused.
    const plain = built.constructor === HttpsAgent || built.constructor === HttpAgent;
    const wanted = optionsOf(built);
    const existing = this.agents.find(
      (agent) =>
        agent.constructor === built.constructor &&
        TLS_FIELDS.every((field) => sameValue(optionsOf(agent)[field], wanted[field])),
    );
    if (existing) return existing;
    const tls = Object.fromEntries(TLS_FIELDS.map((field) => [field, wanted[field]]));
    const shared = !plain
      ? built
      : built.constructor === HttpsAgent
        ? new HttpsAgent({ ...stripUndefined(tls), keepAlive: true, timeout: IDLE_SOCKET_MS })
        : new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
    this.agents.push(shared);
    return shared;
  }
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
