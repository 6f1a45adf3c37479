import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SidecarClient } from '@cnpg-mcp/auth-sidecar';
import { approveDeviceCode, loginAsPerson } from '@cnpg-mcp/devstack';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  type ClientCapabilities,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { credentials } from './stack.js';

const run = promisify(execFile);
export const packageDir = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

type Cleanup = { after: (fn: () => void | Promise<void>) => void };

let bundled: Promise<string> | undefined;

/**
 * Bundles the CLI exactly as `npm pack` does, into a directory private to this test process (test
 * files run in parallel), and returns the path of bin/cnpg-mcp.js. CNPG_MCP_TEST_CLI names a bundle
 * to test instead (one with a guard taken out, to see a test fail without it).
 */
export function builtCli(): Promise<string> {
  const given = process.env.CNPG_MCP_TEST_CLI;
  if (given) return Promise.resolve(given);
  bundled ??= (async () => {
    const outdir = join(packageDir, 'dist', 'test-bundles', `${process.pid}`);
    await run(process.execPath, [join(packageDir, 'scripts', 'bundle.mjs'), '--outdir', outdir]);
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    return join(outdir, 'bin', 'cnpg-mcp.js');
  })();
  return bundled;
}

export interface PrivateHome {
  dir: string;
  runtimeDir: string;
  /** Environment with private XDG dirs and HOME, no display, no inherited CNPG_MCP_* settings. */
  env: Record<string, string>;
}

/** A private HOME / XDG runtime, cache and config dir, removed (and its sidecars stopped) after the test. */
export function privateHome(t: Cleanup): PrivateHome {
  const dir = mkdtempSync(join(tmpdir(), 'cm-'));
  const runtimeDir = join(dir, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      name.startsWith('CNPG_MCP_') ||
      name === 'DISPLAY' ||
      name === 'WAYLAND_DISPLAY'
    )
      continue;
    if (name.startsWith('XDG_') || name === 'DBUS_SESSION_BUS_ADDRESS' || name.startsWith('NODE_TEST'))
      continue;
    env[name] = value;
  }
  Object.assign(env, {
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    // A sidecar spawned by a server that was closing anyway exits on its own soon.
    CNPG_MCP_IDLE_EXIT_SECONDS: '60',
  });
  t.after(async () => {
    // A server closed a moment ago may still be starting a sidecar (at start-up it spawns one in
    // the background): stop what answers, wait for a late one, stop again.
    await stopSidecars(runtimeDir);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stopSidecars(runtimeDir);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, runtimeDir, env };
}

/** Sockets of the sidecars started under a runtime dir. */
export function sidecarSockets(runtimeDir: string): string[] {
  const dir = join(runtimeDir, 'cnpg-mcp');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sock'))
    .map((name) => join(dir, name));
}

export async function sidecarPid(socketPath: string): Promise<number | undefined> {
  const client = new SidecarClient(socketPath);
  try {
    return (await client.health()).pid;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

export async function stopSidecars(runtimeDir: string): Promise<void> {
  for (const socket of sidecarSockets(runtimeDir)) {
    const pid = await sidecarPid(socket);
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

export interface StdioSession {
  client: Client;
  stderr: () => string;
  transport: StdioClientTransport;
}

/** The real SDK client, spawning the built CLI over stdio. */
export async function connectOverStdio(
  t: Cleanup,
  cli: string,
  env: Record<string, string>,
  args: string[] = [],
  capabilities: ClientCapabilities = {},
): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, ...args],
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'stdio-e2e', version: '1.0.0' }, { capabilities });
  await client.connect(transport);
  t.after(() => client.close());
  return { client, transport, stderr: () => stderr };
}

/** Runs the built CLI to completion. */
export async function runCli(
  cli: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/**
 * `cnpg-mcp login --browser` as a person runs it: reads the authorization URL the command prints
 * on stderr, hands it to `person` (who signs in at the provider), and waits for the command.
 */
export async function loginWithCli(
  cli: string,
  env: Record<string, string>,
  person: (authorizationUrl: string) => Promise<unknown>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, 'login', '--browser'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let acted: Promise<unknown> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)\s/.exec(stderr)?.[1];
    if (url && !acted) acted = person(url);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await acted;
  return { code, stdout, stderr };
}

/** The text of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

/** Completes whatever login the server asks for in its logging messages, as a person would. */
export function actAsPersonOnLoginMessages(client: Client, username = 'alice') {
  const seen: string[] = [];
  let done: Promise<unknown> = Promise.resolve();
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    const text = String(notification.params.data);
    seen.push(text);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(text)?.[1];
    const device = /open (\S+) and enter the code ([^\s;.,]+)/.exec(text);
    if (url) done = loginAsPerson(url, credentials(username));
    else if (device?.[1] && device[2]) done = approveDeviceCode(device[1], device[2], credentials(username));
  });
  return { seen, settled: () => done };
}
