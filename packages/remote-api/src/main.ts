#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { startRemoteApi } from './server.js';

try {
  const config = loadConfig();
  const api = await startRemoteApi(config);
  const stop = (signal: string) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: `received ${signal}` })}\n`,
    );
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  const message =
    error instanceof ConfigError ? error.message : `remote-api failed to start: ${(error as Error).message}`;
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: message })}\n`,
  );
  process.exit(1);
}
