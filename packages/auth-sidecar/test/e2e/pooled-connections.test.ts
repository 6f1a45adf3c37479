import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SIDECAR_BASE_URL } from '../../src/api.js';
import { SidecarClient } from '../../src/client/client.js';
import { createOutbound } from '../../src/daemon/outbound.js';

async function listen(server: Server, port = 0): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

function answering(text: string): Server {
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(text));
  });
}

async function text(response: { body: NodeJS.ReadableStream }): Promise<string> {
  let out = '';
  for await (const chunk of response.body) out += String(chunk);
  return out;
}

test('a call right after the remote restarted goes to the new remote, not into the closed pooled connection', async (t) => {
  const outbound = createOutbound({});
  t.after(() => outbound.close());
  const before = answering('old');
  const url = await listen(before);
  const request = () =>
    outbound.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{}'),
      signal: new AbortController().signal,
      headersTimeoutMs: 5_000,
    });
  assert.equal(await text(await request()), 'old');

  // The remote goes away, closing the kept-alive connection, and is back on the same port at once.
  before.closeAllConnections();
  await new Promise<void>((resolve) => before.close(() => resolve()));
  const after = answering('new');
  t.after(() => new Promise<void>((resolve) => after.close(() => resolve())));
  await listen(after, Number(url.port));

  assert.equal(await text(await request()), 'new');
});

test('of two pooled connections, the one the remote closed is passed over even when it is the last one freed', async (t) => {
  const outbound = createOutbound({});
  t.after(() => outbound.close());
  // The first request is answered only after the second, so its connection is the last one freed.
  const connections: Socket[] = [];
  let answerFirst: (() => void) | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      connections.push(req.socket);
      const answer = `answer ${connections.length}`;
      if (connections.length === 1) answerFirst = () => res.end(answer);
      else res.end(answer, () => answerFirst?.());
    });
  });
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = await listen(server);
  const request = () =>
    outbound.send(url, {
      method: 'POST',
      headers: {},
      body: Buffer.from('{}'),
      signal: new AbortController().signal,
      headersTimeoutMs: 5_000,
    });
  const first = request().then(text);
  while (connections.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(await Promise.all([first, request().then(text)]), ['answer 1', 'answer 2']);

  // The remote drops the first connection (its idle timeout, say) and keeps the other one.
  connections[0]?.destroy();
  assert.equal(await text(await request()), 'answer 3');
  assert.equal(connections[2], connections[1], 'the call went over the connection the remote kept');
});

test('the stdio side: a call right after the sidecar restarted on its socket reaches the new sidecar', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnpg-mcp-pool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'sidecar.sock');
  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  const sidecar = (answer: string) =>
    createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer })),
      );
    });
  const call = async () => {
    const response = await client.fetch(`${SIDECAR_BASE_URL}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return ((await response.json()) as { answer: string }).answer;
  };
  const before = sidecar('old');
  await new Promise<void>((resolve) => before.listen(socketPath, () => resolve()));
  assert.equal(await call(), 'old');

  before.closeAllConnections();
  await new Promise<void>((resolve) => before.close(() => resolve()));
  const after = sidecar('new');
  t.after(() => new Promise<void>((resolve) => after.close(() => resolve())));
  await new Promise<void>((resolve) => after.listen(socketPath, () => resolve()));

  assert.equal(await call(), 'new');
});
