#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEV_USERS, startDevOidc } from './oidc/index.js';

const USAGE = `Usage: npm run devstack -- [--oidc-port N]

Starts the local stand-ins for the outside world on 127.0.0.1:
  an OpenID provider (issuer http://127.0.0.1:<oidc-port>) with test users.
Options:
  --oidc-port N   port of the OpenID provider (default 9400; env DEVSTACK_OIDC_PORT)
  --help          this text`;

function portFrom(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number between 0 and 65535, got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'oidc-port': { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const oidcPort = portFrom(values['oidc-port'] ?? process.env.DEVSTACK_OIDC_PORT, '--oidc-port', 9400);
  const oidc = await startDevOidc({ port: oidcPort });

  console.log(`devstack is running.

OpenID provider
  issuer     ${oidc.issuer}
  client id  ${oidc.clientId} (public, PKCE S256; redirect http://127.0.0.1:8888/callback)
  audience   ${oidc.audience}
  users      ${DEV_USERS.map((user) => `${user.username} / ${user.password} (${user.groups.join(', ')})`).join('\n             ')}

Press Ctrl-C to stop.`);

  const stop = async () => {
    await oidc.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`devstack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
