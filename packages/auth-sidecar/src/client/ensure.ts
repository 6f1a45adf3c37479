import { spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { HealthResponse, SidecarProfile } from '../api.js';
import {
  SIDECAR_SETTINGS_ENV,
  SIDECAR_START_IDLE_ENV,
  sidecarLogPath,
  sidecarProfile,
  sidecarSocketPath,
  sidecarSpawnLockPath,
} from '../locations.js';
import { withLock } from '../lock.js';
import { type Env, ensurePrivateRuntimeDir } from '../paths.js';
import { redactText } from '../redact.js';
import type { Settings } from '../settings.js';
import { SidecarClient } from './client.js';

/**
 * The daemon is long-lived and mostly idle. A 1 MiB young generation keeps its memory ≈ 10 MiB lower
 * for a little more frequent minor collections under load; collecting on the main thread only (no
 * helper threads for marking and scavenging) takes ≈ 7 MiB more off, with no per-call cost
 * measurable in `npm run bench -- stdio` (the heap is a few MiB, so a collection is short).
 */
const DAEMON_V8_FLAGS = ['--max-semi-space-size=1', '--single-threaded-gc'];

/** How long a sidecar started by a one-shot command waits for a forwarded call before it exits. */
export const ONE_SHOT_IDLE_SECONDS = 10;

export interface EnsureSidecarOptions {
  env?: Env;
  /** How long to wait for a spawned sidecar to answer (default 15 s). */
  startTimeoutMs?: number;
  /**
   * For one-shot commands (status, token, logout, doctor): a sidecar started now exits
   * ONE_SHOT_IDLE_SECONDS after the command unless a forwarded call comes meanwhile.
   */
  oneShot?: boolean;
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

async function health(socketPath: string): Promise<HealthResponse | undefined> {
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

/**
 * The sidecar on the socket must serve what these settings expect (identity, remote, token store);
 * one that does not (started by hand with other settings) is refused rather than silently used.
 */
function checkProfile(found: HealthResponse, expected: SidecarProfile, socketPath: string): EnsuredSidecar {
  const differing = (Object.keys(expected) as Array<keyof SidecarProfile>).filter(
    (key) => found.profile[key] !== expected[key],
  );
  if (differing.length > 0) {
    const details = differing
      .map((key) => `${key}: it has ${found.profile[key] ?? '(none)'}, expected ${expected[key] ?? '(none)'}`)
      .join('; ');
    throw new Error(
      `The auth sidecar on ${socketPath} (pid ${found.pid}) was started with other settings (${details}). ` +
        `Stop it (kill ${found.pid}) and try again.`,
    );
  }
  return { socketPath, pid: found.pid, started: false };
}

/** The log is cut back to nothing when it grows past this. */
const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Opens the sidecar's log for appending without following a link (O_NOFOLLOW), and only if it is a
 * plain file of this user's with no other names: the log is never written through something planted.
 */
async function openLogFile(path: string): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
  let handle: FileHandle;
  try {
    handle = await open(path, flags, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new Error(
        `The sidecar log ${path} is a symbolic link; refusing to write through it. Remove it and try again.`,
      );
    }
    throw error;
  }
  const info = await handle.stat();
  const ownedByOther = typeof process.getuid === 'function' && info.uid !== process.getuid();
  if (!info.isFile() || info.nlink > 1 || ownedByOther) {
    await handle.close();
    throw new Error(
      `The sidecar log ${path} is not a plain file of yours with a single name; refusing to write to it. ` +
        'Remove it and try again.',
    );
  }
  if (info.size > MAX_LOG_BYTES) await handle.truncate(0);
  return handle;
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
  const env = options.env ?? process.env;
  const socketPath = sidecarSocketPath(settings, env);
  const expected = sidecarProfile(settings, env);
  const running = await health(socketPath);
  if (running) return checkProfile(running, expected, socketPath);

  await ensurePrivateRuntimeDir(settings.runtimeDir);
  return withLock(
    sidecarSpawnLockPath(settings, env),
    async () => {
      const again = await health(socketPath);
      if (again) return checkProfile(again, expected, socketPath);

      const logPath = sidecarLogPath(settings, env);
      const logFile = await openLogFile(logPath);
      const child = spawn(process.execPath, [...DAEMON_V8_FLAGS, ...daemonCommand()], {
        detached: true,
        // Not the caller's directory: a long-lived process should not pin it (or a mount) busy.
        cwd: settings.runtimeDir,
        stdio: ['ignore', logFile.fd, logFile.fd],
        env: {
          ...env,
          [SIDECAR_SETTINGS_ENV]: JSON.stringify(settings),
          ...(options.oneShot ? { [SIDECAR_START_IDLE_ENV]: String(ONE_SHOT_IDLE_SECONDS) } : {}),
        },
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
        if (answer) return { ...checkProfile(answer, expected, socketPath), started: true };
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
