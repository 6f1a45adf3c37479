import type { Server } from '@modelcontextprotocol/sdk/server/index.js';

/**
 * MCP servers kept for reuse: each serves one request at a time and is handed back once that
 * request's transport is closed, so a process builds about as many servers as it serves requests
 * at once, not one per request. Nothing of a request stays on a server (its caller travels with
 * the request), except what `initialize` records about the client: a server that answered one is
 * dropped rather than reused.
 */
export class McpServerPool {
  private readonly idle: Server[] = [];

  constructor(
    private readonly create: () => Server,
    private readonly maxIdle = 256,
  ) {}

  acquire(): Server {
    return this.idle.pop() ?? this.create();
  }

  /** Closes the request's connection (aborting whatever it still runs) and keeps the server. */
  async release(server: Server, reusable: boolean): Promise<void> {
    await server.close();
    if (reusable && this.idle.length < this.maxIdle) this.idle.push(server);
  }
}
