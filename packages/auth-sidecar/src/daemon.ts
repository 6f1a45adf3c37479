#!/usr/bin/env node
// The detached per-user sidecar process. ensureSidecar() starts it as
// `process.execPath dist/daemon.js` with the resolved settings in CNPG_MCP_SIDECAR_SETTINGS;
// started by hand it reads settings like the CLI does (env, config file).

import { SidecarAlreadyRunningError } from './daemon/listeners.js';
import { startSidecar } from './daemon/server.js';
import { SIDECAR_SETTINGS_ENV, SIDECAR_START_IDLE_ENV } from './locations.js';
import { createLogger } from './redact.js';
import { loadSettings, type Settings, settingsSchema } from './settings.js';

process.umask(0o077);
const log = createLogger();

/** A short idle time until the first forwarded call, when a one-shot command started this sidecar. */
function startIdleSeconds(): number | undefined {
  const value = Number(process.env[SIDECAR_START_IDLE_ENV]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function readSettings(): Settings {
  const handed = process.env[SIDECAR_SETTINGS_ENV];
  if (handed) return settingsSchema.parse(JSON.parse(handed));
  return loadSettings();
}

try {
  const sidecar = await startSidecar({
    settings: readSettings(),
    startIdleSeconds: startIdleSeconds(),
    log,
    onIdle: () => {
      void sidecar.close().then(() => process.exit(0));
    },
  });
  const stop = (signal: string) => {
    log(`${signal} received; exiting`);
    void sidecar.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (error) => {
    log(`uncaught: ${error.stack ?? error.message}`);
    process.exit(1);
  });
} catch (error) {
  if (error instanceof SidecarAlreadyRunningError) {
    log(error.message);
    process.exit(0);
  }
  log(`failed to start: ${(error as Error).message}`);
  process.exit(1);
}
