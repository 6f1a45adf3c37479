import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isSidecarError,
  SidecarAlreadyRunningError,
  SidecarClient,
  sidecarSocketPath,
  startSidecar,
} from '../../src/index.js';
import { expectLogin, forwardError, scratchDir, testSettings } from '../support/helpers.js';

const provider = { issuer: 'http://127.0.0.1:9', clientId: 'c', audience: 'https://api.example.com' };

test('a socket file left by a killed sidecar is replaced; a live one is not taken over', async (t) => {
  const dir = scratchDir(t);
  const settings = testSettings(dir, provider, 'http://127.0.0.1:9/mcp');
  const socketPath = sidecarSocketPath(settings);
  mkdirSync(settings.runtimeDir, { recursive: true, mode: 0o700 });
  const crashed = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`,
  ]);
  await new Promise((resolve) => crashed.stdout.once('data', resolve));
  crashed.kill('SIGKILL');
  await new Promise((resolve) => crashed.once('exit', resolve));
  assert.ok(existsSync(socketPath), 'the dead process left its socket file behind');

  const sidecar = await startSidecar({ settings, log: () => {}, env: {} });
  t.after(() => sidecar.close());
  const client = new SidecarClient(socketPath);
  t.after(() => client.close());
  assert.equal((await client.health()).pid, process.pid);

  await assert.rejects(startSidecar({ settings, log: () => {}, env: {} }), SidecarAlreadyRunningError);
  assert.equal((await client.health()).ok, true, 'the running sidecar keeps its socket');
});

test('a busy TCP port names the setting; the socket is released again', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  const settings = testSettings(scratchDir(t), provider, 'http://127.0.0.1:9/mcp', { tcpPort: port });
  await assert.rejects(
    startSidecar({ settings, log: () => {}, env: {} }),
    new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*tcpPort.*CNPG_MCP_TCP_PORT`),
  );
  for (let i = 0; i < 20 && existsSync(sidecarSocketPath(settings)); i++) await sleep(10);
  const retry = await startSidecar({
    settings: { ...settings, tcpPort: undefined },
    log: () => {},
    env: {},
  });
  await retry.close();
});

test('without a login the answer is ERR_LOGIN_REQUIRED even when the provider is unreachable', async (t) => {
  const settings = testSettings(scratchDir(t), provider, 'http://127.0.0.1:9/mcp');
  const sidecar = await startSidecar({ settings, log: () => {}, env: {} });
  t.after(() => sidecar.close());
  const client = new SidecarClient(sidecar.socketPath);
  t.after(() => client.close());
  const error = await forwardError(client);
  assert.ok(isSidecarError(error, 'ERR_LOGIN_REQUIRED'), "isSidecarError(error, 'ERR_LOGIN_REQUIRED')");
  const login = expectLogin(error.body.login, 'failed');
  assert.equal(login.code, 'ERR_PROVIDER_FAILED', 'the login it tried to start says why it could not');
  assert.match(login.message, /OpenID discovery at http:\/\/127\.0\.0\.1:9 failed/);
  await assert.rejects(client.login('browser'), /OpenID discovery at http:\/\/127\.0\.0\.1:9 failed/);
});
