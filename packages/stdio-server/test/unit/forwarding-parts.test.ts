import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { stderrLogger } from '../../src/log.js';
import { CONNECTION_LOST, trackCalls } from '../../src/serve/call-tracking.js';
import { describeFailure } from '../../src/serve/failures.js';
import { receivedRpcError } from '../../src/serve/rpc-error.js';
import {
  connectionFailure,
  SidecarConnectionLostError,
  SidecarUnreachableError,
} from '../../src/serve/sidecar-fetch.js';
import { metadataLocations } from '../../src/settings/discovery.js';
import {
  discoveryCachePath,
  readDiscoveryCache,
  writeDiscoveryCache,
} from '../../src/settings/discovery-cache.js';

test('stderr carries warnings and errors by default; the level setting shows more; secrets are redacted', () => {
  const lines: string[] = [];
  const quiet = stderrLogger(undefined, (text) => lines.push(text));
  quiet.debug('d');
  quiet.info('i');
  quiet.warn('w');
  quiet.error('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlMTIz');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', / cnpg-mcp warn: w\n$/);
  assert.doesNotMatch(lines[1] ?? '', /eyJ/);
  const loud = stderrLogger('debug', (text) => lines.push(text));
  loud.debug('d');
  assert.match(lines[2] ?? '', / cnpg-mcp debug: d\n$/);
});

test("an error relayed from the other side keeps its code and message, without the SDK's prefix twice", () => {
  const received = new McpError(-32602, 'Invalid arguments for tool cluster_create: name', { field: 'name' });
  const relayed = receivedRpcError(received);
  assert.equal(relayed.code, -32602);
  assert.equal(relayed.message, 'Invalid arguments for tool cluster_create: name');
  assert.deepEqual(relayed.data, { field: 'name' });
  // A message that happens to contain the prefix further on is kept whole.
  assert.equal(
    receivedRpcError(new McpError(-32000, 'see MCP error -32000: x')).message,
    'see MCP error -32000: x',
  );
});

test('a failed connection to the sidecar: unreachable (nothing sent) or cut off (may have run)', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  const gone = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOENT' } });
  const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });
  assert.ok(
    connectionFailure(refused) instanceof SidecarUnreachableError,
    'connectionFailure(refused) instanceof SidecarUnreachableError',
  );
  assert.ok(
    connectionFailure(gone) instanceof SidecarUnreachableError,
    'connectionFailure(gone) instanceof SidecarUnreachableError',
  );
  assert.ok(
    connectionFailure(reset) instanceof SidecarConnectionLostError,
    'connectionFailure(reset) instanceof SidecarConnectionLostError',
  );
  assert.ok(
    connectionFailure(new Error('terminated')) instanceof SidecarConnectionLostError,
    'unknown: may have run',
  );
});

/** A body that sends `first` and then breaks, as a connection cut mid-answer does. */
function breakingBody(first: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent)
        return controller.error(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      sent = true;
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

const call = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'x' } });

test('an event stream cut mid-way ends with a JSON-RPC error for its call, so the call does not hang', async () => {
  const fetch = trackCalls(
    async () =>
      new Response(breakingBody('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress"'), {
        headers: { 'content-type': 'text/event-stream' },
      }),
  );
  const response = await fetch('http://sidecar/mcp', { method: 'POST', body: call(7) });
  const text = await response.text();
  const data = /data: (\{"jsonrpc":"2\.0","id":7,.*\})\n\n$/.exec(text)?.[1];
  assert.ok(data, text);
  const reply = JSON.parse(data) as { error: { message: string; data: unknown } };
  assert.equal(reply.error.data, CONNECTION_LOST);
  assert.match(reply.error.message, /cut/);
});

test('a JSON answer cut mid-way fails its call as a lost connection: it may or may not have completed', async () => {
  const fetch = trackCalls(
    async () =>
      new Response(breakingBody('{"jsonrpc":"2.0","id":3,'), {
        headers: { 'content-type': 'application/json' },
      }),
  );
  const response = await fetch('http://sidecar/mcp', { method: 'POST', body: call(3) });
  const error = await response.json().then(
    () => assert.fail('a cut answer cannot be read'),
    (failure: unknown) => failure,
  );
  assert.match(describeFailure(error), /was cut while the call ran, so it may or may not have completed/);
  assert.match(
    describeFailure(new Error('unexpected')),
    /^cnpg-mcp failed: unexpected/,
    'other errors are not',
  );
});

test('notifications/cancelled aborts the POST of the call it names, and only that one', async () => {
  const signals = new Map<number, AbortSignal>();
  const fetch = trackCalls(async (_input, init) => {
    const id = (JSON.parse(String(init?.body)) as { id?: number }).id;
    if (id !== undefined && init?.signal) signals.set(id, init.signal);
    return new Response(id === undefined ? null : new ReadableStream(), {
      status: id === undefined ? 202 : 200,
      headers: { 'content-type': 'text/event-stream' },
    });
  });
  await fetch('http://sidecar/mcp', { method: 'POST', body: call(1) });
  await fetch('http://sidecar/mcp', { method: 'POST', body: call(2) });
  await fetch('http://sidecar/mcp', {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }),
  });
  assert.equal(signals.get(1)?.aborted, true);
  assert.equal(signals.get(2)?.aborted, false);
});

test('RFC 9728 metadata is looked for at the path-based location, then the root one', () => {
  assert.deepEqual(metadataLocations('https://cnpg.example.com/mcp'), [
    'https://cnpg.example.com/.well-known/oauth-protected-resource/mcp',
    'https://cnpg.example.com/.well-known/oauth-protected-resource',
  ]);
  assert.deepEqual(metadataLocations('https://cnpg.example.com/'), [
    'https://cnpg.example.com/.well-known/oauth-protected-resource',
  ]);
});

test('the discovery cache belongs to one remote URL; a damaged or foreign file is no cache', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const remoteUrl = 'https://cnpg.example.com/mcp';
  const path = discoveryCachePath(dir, remoteUrl);
  assert.notEqual(path, discoveryCachePath(dir, 'https://other.example.com/mcp'));
  assert.equal(await readDiscoveryCache(path, remoteUrl), undefined);
  const discovery = {
    remoteUrl,
    url: 'https://cnpg.example.com/.well-known/oauth-protected-resource/mcp',
    values: { issuer: 'https://tenant.example/', clientId: 'abc' },
  };
  await writeDiscoveryCache(path, discovery);
  assert.deepEqual(await readDiscoveryCache(path, remoteUrl), discovery);
  assert.equal(await readDiscoveryCache(path, 'https://other.example.com/mcp'), undefined);
  writeFileSync(path, '{"remoteUrl": "https://cnpg.example.com/mcp", "values": 7}');
  assert.equal(await readDiscoveryCache(path, remoteUrl), undefined);
});
