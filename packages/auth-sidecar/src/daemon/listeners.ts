import { chmod, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { sendError } from './json.js';
import { secretsEqual } from './tcp-secret.js';

export class SidecarAlreadyRunningError extends Error {
  constructor(socketPath: string) {
    super(`Another sidecar already answers on ${socketPath}`);
    this.name = 'SidecarAlreadyRunningError';
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Listens on the Unix socket (mode 0600), replacing a stale socket file left by a dead sidecar. */
export async function listenOnSocket(server: Server, path: string): Promise<void> {
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (await socketAnswers(path)) throw new SidecarAlreadyRunningError(path);
    await unlink(path);
    await listen();
  }
  if (process.platform !== 'win32') await chmod(path, 0o600);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The optional loopback TCP listener: 127.0.0.1 only, the Host header must name it (so a web
 * page cannot reach it through DNS rebinding), and every request must carry the per-install secret.
 */
export async function listenOnLoopbackTcp(port: number, secret: string, handle: Handler): Promise<Server> {
  const server = createServer((req, res) => {
    const actualPort = (server.address() as AddressInfo).port;
    if (![`127.0.0.1:${actualPort}`, `localhost:${actualPort}`].includes(req.headers.host ?? '')) {
      sendError(res, {
        code: 'ERR_BAD_HOST',
        message: 'Host header must be 127.0.0.1:PORT or localhost:PORT',
      });
      return;
    }
    const header = req.headers['x-cnpg-mcp-secret'];
    const presented =
      (typeof header === 'string' ? header : undefined) ??
      /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ??
      '';
    if (!secretsEqual(presented.trim(), secret)) {
      sendError(res, {
        code: 'ERR_BAD_SECRET',
        message: 'present the per-install secret (see tcpSecretPath)',
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on 127.0.0.1 is already in use; choose another with the setting tcpPort ` +
                '(flag --tcp-port, env CNPG_MCP_TCP_PORT) or leave it unset to disable the TCP listener.',
            )
          : error,
      );
    });
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
  return server;
}
