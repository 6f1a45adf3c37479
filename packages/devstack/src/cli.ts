#!/usr/bin/env node
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeEmulator } from './kube/index.js';
import { DEV_USERS, startDevOidc } from './oidc/index.js';

const USAGE = `Usage: npm run devstack -- [--oidc-port N] [--kube-port N] [--kube-https-port N] [--dir DIR] [--reset]

Starts the local stand-ins for the outside world on 127.0.0.1:
  an OpenID provider (issuer http://127.0.0.1:<oidc-port>) with test users, and
  a Kubernetes API emulator with a CloudNativePG reconciler (kubeconfig written to DIR).
Options:
  --oidc-port N        port of the OpenID provider (default 9400; env DEVSTACK_OIDC_PORT)
  --kube-port N        plain-HTTP port of the Kubernetes emulator (default 9401; env DEVSTACK_KUBE_PORT)
  --kube-https-port N  HTTPS port of the Kubernetes emulator (default 9403; env DEVSTACK_KUBE_HTTPS_PORT)
  --dir DIR            where the kubeconfig and the emulator's objects (kube-state.json, kept across
                       restarts) are written (default .devstack)
  --reset              forget the emulator's objects and start with an empty cluster
  --help               this text`;

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
    options: {
      'oidc-port': { type: 'string' },
      'kube-port': { type: 'string' },
      'kube-https-port': { type: 'string' },
      dir: { type: 'string' },
      reset: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const oidcPort = portFrom(values['oidc-port'] ?? process.env.DEVSTACK_OIDC_PORT, '--oidc-port', 9400);
  const kubePort = portFrom(values['kube-port'] ?? process.env.DEVSTACK_KUBE_PORT, '--kube-port', 9401);
  const kubeHttpsPort = portFrom(
    values['kube-https-port'] ?? process.env.DEVSTACK_KUBE_HTTPS_PORT,
    '--kube-https-port',
    9403,
  );
  const dir = resolve(values.dir ?? '.devstack');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stateFile = resolve(dir, 'kube-state.json');
  if (values.reset) rmSync(stateFile, { force: true });
  const oidc = await startDevOidc({ port: oidcPort });
  const kube = await startKubeEmulator({
    port: kubePort,
    httpsPort: kubeHttpsPort,
    kubeconfigPath: resolve(dir, 'kubeconfig'),
    stateFile,
  });

  console.log(`devstack is running.

OpenID provider
  issuer     ${oidc.issuer}
  client id  ${oidc.clientId} (public, PKCE S256; redirect http://127.0.0.1:8888/callback)
  audience   ${oidc.audience}
  users      ${DEV_USERS.map((user) => `${user.username} / ${user.password} (${user.groups.join(', ')}${user.emailVerified ? '' : `; unverified email ${user.email}`})`).join('\n             ')}

Kubernetes API emulator (CloudNativePG postgresql.cnpg.io/v1)
  server      ${kube.kubeconfigServer} (plain HTTP: ${kube.url})
  kubeconfig  ${kube.kubeconfigPath}
  objects     kept in ${stateFile} (--reset starts afresh; logins are not kept)
  try         KUBECONFIG=${kube.kubeconfigPath} kubectl get clusters -A

Press Ctrl-C to stop.`);

  const stop = async () => {
    await Promise.all([oidc.close(), kube.close()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`devstack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
