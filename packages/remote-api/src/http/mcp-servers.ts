import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { RequestChannel, sendAnswer } from './json-call.js';

interface Connected {
  server: Server;
  channel: RequestChannel;
}

/**
 * MCP servers that answer plain JSON calls, each connected once to its own channel and serving one
 * request at a time: a process keeps about as many as it serves calls at once, and builds none per
 * request. Nothing of a request stays on a server (its caller travels with the request). A server
 * whose call was cancelled (the client went away) is not reused: its handler may still be running.
 */
export class McpServerPool {
  private readonly idle: Connected[] = [];

  constructor(
    private readonly create: () => Server,
    private readonly maxIdle = 256,
  ) {}

  async answer(
    request: JSONRPCRequest,
    authInfo: AuthInfo,
    headers: IncomingHttpHeaders,
    res: ServerResponse,
  ): Promise<void> {
    const connected = this.idle.pop() ?? (await this.connectNew());
    const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const answer = await connected.channel.request(request, authInfo, headers, gone);
    if (answer === undefined) {
      // Closing aborts the call still running for a client that went away.
      void connected.server.close();
      return;
    }
    if (this.idle.length < this.maxIdle) this.idle.push(connected);
    else void connected.server.close();
    sendAnswer(res, answer);
  }

  private async connectNew(): Promise<Connected> {
    const server = this.create();
    const channel = new RequestChannel();
    await server.connect(channel);
    return { server, channel };
  }
}
