import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, stat, truncate } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sidecarLogPath, sidecarSocketPath, sidecarSpawnLockPath } from '../locations.js';
import { withLock } from '../lock.js';
import { type Env, ensurePrivateDir } from '../paths.js';
import { redactText } from '../redact.js';
import type { Settings } from '../settings.js';
import { SidecarClient } from './client.js';

/** Environment variable through which ensureSidecar hands the resolved settings to the daemon. */
export const SIDECAR_SETTINGS_ENV = 'CNPG_MCP_SIDECAR_SETTINGS';

export interface EnsureSidecarOptions {
  env?: Env;
  /** How long to wait for a spawned sidecar to answer (default 15 s). */
  startTimeoutMs?: number;
}

export interface EnsuredSidecar {
  socketPath: string;
  pid: number;
  /** True when this call started the process. */
  started: boolean;
}

/**
 * The daemon to run with process.execPath: dist/daemon.js next to this module's dist folder, or,
 * when running from TypeScript sources (development, tests), src/daemon.ts through tsx.
 */
export function daemonCommand(): string[] {
  const js = fileURLToPath(new URL('../daemon.js', import.meta.url));
  if (existsSync(js)) return [js];
  // Resolved here, because the daemon runs with its own working directory.
  return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../daemon.ts', import.meta.url))];
}

async function health(socketPath: string): Promise<{ pid: number } | undefined> {
  if (process.platform !== 'win32' && !existsSync(socketPath)) return undefined;
  const client = new SidecarClient(socketPath);
  try {
    return await client.health();
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return redactText(text.trim().split('\n').slice(-5).join('\n'));
}

/**
 * Returns once a sidecar for these settings answers on its socket, spawning one (detached, with
 * process.execPath) if none does. A spawn lock in the runtime directory makes concurrent callers
 * (several MCP hosts starting several stdio servers) start exactly one.
 */
export async function ensureSidecar(
  settings: Settings,
  options: EnsureSidecarOptions = {},
): Promise<EnsuredSidecar> {
  const socketPath = sidecarSocketPath(settings);
  const running = await health(socketPath);
  if (running) return { socketPath, pid: running.pid, started: false };

  await ensurePrivateDir(settings.runtimeDir);
  return withLock(
    sidecarSpawnLockPath(settings),
    async () => {
      const again = await health(socketPath);
      if (again) return { socketPath, pid: again.pid, started: false };

      const logPath = sidecarLogPath(settings);
      const size = await stat(logPath).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 1024 * 1024) await truncate(logPath, 0);
      const logFile = await open(logPath, 'a', 0o600);
      // A long-lived, mostly idle process: a 1 MiB young generation keeps its memory ≈ 10 MiB lower
      // for a little more frequent minor garbage collection under load.
      const child = spawn(process.execPath, ['--max-semi-space-size=1', ...daemonCommand()], {
        detached: true,
        // Not the caller's directory: a long-lived process should not pin it (or a mount) busy.
        cwd: settings.runtimeDir,
        stdio: ['ignore', logFile.fd, logFile.fd],
        env: { ...(options.env ?? process.env), [SIDECAR_SETTINGS_ENV]: JSON.stringify(settings) },
        windowsHide: true,
      });
      await logFile.close();
      let exitCode: number | null | undefined;
      child.once('exit', (code) => {
        exitCode = code;
      });
      child.unref();

      const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
      while (Date.now() < deadline) {
        const answer = await health(socketPath);
        if (answer) return { socketPath, pid: answer.pid, started: true };
        if (exitCode !== undefined) {
          throw new Error(
            `The auth sidecar exited (code ${exitCode}) while starting. Log ${logPath}:\n${await logTail(logPath)}`,
          );
        }
        await sleep(50);
      }
      throw new Error(
        `The auth sidecar did not answer on ${socketPath} in time. Log ${logPath}:\n${await logTail(logPath)}`,
      );
    },
    { waitMs: (options.startTimeoutMs ?? 15_000) + 5_000 },
  );
}
