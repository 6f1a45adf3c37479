import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { loginForTokens, startDevOidc } from '@cnpg-mcp/devstack';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListRootsRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { builtCli, connectOverStdio, privateHome } from '../support/helpers.js';

/**
 * A stateful MCP server (sessions, server-to-client requests), unlike the stateless remote API:
 * shows the bridge carries every kind of message, not only what cnpg-mcp's own remote uses.
 * (Elicitation is not relayed: cnpg-mcp asks the person itself before forwarding and tells no
 * remote that the client can elicit; the roots request stands for the requests that are.)
 */
async function startStatefulRemote(port = 0): Promise<{
  url: string;
  sessions: Set<string>;
  close(): Promise<void>;
}> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const sessions = new Set<string>();
  const http: Server = createServer(async (req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !transport) {
      // A session this process does not know (it restarted): 404, as the MCP specification says.
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown session"}');
      return;
    }
    if (!transport) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
          sessions.add(id);
        },
      });
      const server = new McpServer({ name: 'stateful', version: '1.0.0' }, { capabilities: { logging: {} } });
      server.registerTool(
        'ask_roots',
        { description: 'Asks the client for its roots', inputSchema: { why: z.string() } },
        async ({ why }, extra) => {
          await extra.sendNotification({
            method: 'notifications/message',
            params: { level: 'info', data: `asking because ${why}` },
          });
          const { roots } = await server.server.listRoots();
          return { content: [{ type: 'text', text: `roots: ${roots.map((root) => root.name).join(', ')}` }] };
        },
      );
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    sessions,
    close: async () => {
      for (const transport of transports.values()) await transport.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

test('a stateful remote: one session, its logging and its requests to the client (roots, on the standalone stream) reach the stdio client', async (t) => {
  const oidc = await startDevOidc();
  t.after(() => oidc.close());
  const remote = await startStatefulRemote();
  t.after(() => remote.close());
  const { refresh_token: refreshToken } = await loginForTokens(oidc, { username: 'alice' });
  assert.ok(refreshToken, 'refreshToken');
  const cli = await builtCli();
  const home = privateHome(t);
  const env = {
    ...home.env,
    CNPG_MCP_ISSUER: oidc.issuer,
    CNPG_MCP_CLIENT_ID: oidc.clientId,
    CNPG_MCP_AUDIENCE: oidc.audience,
    CNPG_MCP_REMOTE_URL: remote.url,
    CNPG_MCP_REFRESH_TOKEN: refreshToken,
  };
  const { client } = await connectOverStdio(t, cli, env, [], { roots: {} });
  const logs: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(String(n.params.data));
  });
  let asked = 0;
  client.setRequestHandler(ListRootsRequestSchema, () => {
    asked += 1;
    return { roots: [{ uri: 'file:///srv/pg', name: 'pg' }] };
  });

  const result = await client.callTool({ name: 'ask_roots', arguments: { why: 'the test wants them' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'roots: pg' }]);
  assert.equal(asked, 1, "the remote's request reached the stdio client");
  assert.ok(logs.includes('asking because the test wants them'), logs.join('\n'));
  const again = await client.callTool({ name: 'ask_roots', arguments: { why: 'twice' } });
  assert.deepEqual(again.content, [{ type: 'text', text: 'roots: pg' }]);
  assert.equal(remote.sessions.size, 1, 'one remote session for the whole stdio session');

  // The remote restarts and forgets the session: the next call starts a new one and runs.
  await remote.close();
  const restarted = await startStatefulRemote(Number(new URL(remote.url).port));
  t.after(() => restarted.close());
  const afterRestart = await client.callTool({ name: 'ask_roots', arguments: { why: 'after a restart' } });
  assert.deepEqual(afterRestart.content, [{ type: 'text', text: 'roots: pg' }]);
  assert.equal(restarted.sessions.size, 1, 'a new session with the restarted remote');
});
