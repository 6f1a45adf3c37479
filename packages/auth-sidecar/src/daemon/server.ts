import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as oidc from 'openid-client';
import type { LoginMode } from '../api.js';
import { sidecarSocketPath } from '../locations.js';
import { type Env, ensurePrivateDir } from '../paths.js';
import { createLogger, type Logger } from '../redact.js';
import type { Settings } from '../settings.js';
import { SIDECAR_VERSION } from '../version.js';
import { forwardMcp } from './forward.js';
import { createDispatcher } from './http-client.js';
import { InvalidRequestError, readJson, sendJson } from './json.js';
import { listenOnLoopbackTcp, listenOnSocket } from './listeners.js';
import { CallbackPortBusyError } from './oidc/callback-listener.js';
import { LoginCoordinator, LoginError } from './oidc/login.js';
import { describeOidcError, discoverProvider } from './oidc/provider.js';
import { KeychainUnavailableError } from './store/keychain-store.js';
import { selectTokenStore } from './store/select-store.js';
import type { TokenStore } from './store/types.js';
import { readOrCreateTcpSecret } from './tcp-secret.js';
import { LoginRequiredError, TokenManager } from './token-manager.js';

export interface SidecarOptions {
  settings: Settings;
  env?: Env;
  log?: Logger;
  /** Token store; default chosen from settings and env (selectTokenStore). */
  store?: TokenStore;
  /** Decides 'auto' login mode; default DISPLAY / WAYLAND_DISPLAY. */
  hasDisplay?: () => boolean;
  /** Called after idleExitSeconds without requests; default closes the sidecar. */
  onIdle?: () => void;
  socketPath?: string;
}

export interface RunningSidecar {
  socketPath: string;
  /** Port of the optional loopback TCP listener (only when tcpPort is set). */
  tcpPort?: number;
  tokens: TokenManager;
  logins: LoginCoordinator;
  close(): Promise<void>;
}

function parseTimeoutMs(value: string | null): number {
  if (value === null) return 30_000;
  if (!/^\d+$/.test(value) || Number(value) > 600_000) {
    throw new LoginError('invalid_timeout', 'timeoutMs: expected an integer number of milliseconds 0-600000');
  }
  return Number(value);
}

function parseMode(value: unknown): LoginMode {
  if (value === undefined) return 'auto';
  if (value === 'browser' || value === 'device' || value === 'auto') return value;
  throw new LoginError(
    'invalid_mode',
    `mode: expected "browser", "device" or "auto"; got ${JSON.stringify(value)}`,
  );
}

/** Starts the sidecar's HTTP API on its Unix socket (and the optional loopback TCP port). */
export async function startSidecar(options: SidecarOptions): Promise<RunningSidecar> {
  const { settings } = options;
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger();
  const socketPath = options.socketPath ?? sidecarSocketPath(settings);
  const dispatcher = createDispatcher(env);
  const store = options.store ?? selectTokenStore(settings, { env, announce: log });
  let discovered: Promise<oidc.Configuration> | undefined;
  const provider = () => {
    discovered ??= discoverProvider(settings, dispatcher).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const tokens = new TokenManager({ settings, store, provider, log });
  const logins = new LoginCoordinator({ settings, provider, tokens, log, hasDisplay: options.hasDisplay });
  const remoteUrl = new URL(settings.remoteUrl);
  let inFlight = 0;
  let lastActivity = Date.now();
  let tcpPort: number | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    const method = req.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    if (url.pathname === '/mcp') return forwardMcp(req, res, { remoteUrl, dispatcher, tokens, log });
    switch (key) {
      case 'GET /health':
        return sendJson(res, 200, { ok: true, pid: process.pid, version: SIDECAR_VERSION });
      case 'GET /status': {
        const status = await tokens.status();
        return sendJson(res, 200, {
          ...status,
          store: store.kind,
          storeLocation: store.location,
          remoteUrl: settings.remoteUrl,
          issuer: settings.issuer,
          loginInProgress: logins.active,
          pid: process.pid,
          tcpPort,
        });
      }
      case 'POST /login': {
        const body = await readJson(req);
        return sendJson(
          res,
          200,
          await logins.start(parseMode(body.mode), { unlessLoggedIn: body.unlessLoggedIn === true }),
        );
      }
      case 'GET /login/wait':
        return sendJson(res, 200, await logins.wait(parseTimeoutMs(url.searchParams.get('timeoutMs'))));
      case 'POST /login/paste': {
        const body = await readJson(req);
        if (typeof body.url !== 'string')
          throw new LoginError('invalid_redirect_url', 'url: expected a string');
        return sendJson(res, 200, await logins.completeFromPastedUrl(body.url));
      }
      case 'POST /logout': {
        logins.cancel('logged out');
        return sendJson(res, 200, await tokens.logout());
      }
      case 'GET /token': {
        const token = await tokens.accessToken();
        return sendJson(res, 200, {
          access_token: token.token,
          expires_at: new Date(token.expiresAt).toISOString(),
        });
      }
      default:
        return sendJson(res, 404, { error: 'not_found', message: `${key} is not part of the sidecar API` });
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    inFlight++;
    lastActivity = Date.now();
    res.on('close', () => {
      inFlight--;
      lastActivity = Date.now();
    });
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof LoginRequiredError) {
        sendJson(res, 401, { error: 'login_required', reason: error.reason, message: error.message });
      } else if (error instanceof KeychainUnavailableError) {
        sendJson(res, 503, { error: 'keychain_unavailable', problem: error.problem, message: error.message });
      } else if (error instanceof CallbackPortBusyError) {
        sendJson(res, 409, { error: 'callback_port_busy', message: error.message });
      } else if (error instanceof LoginError) {
        sendJson(res, 400, { error: error.code, message: error.message });
      } else if (error instanceof InvalidRequestError) {
        sendJson(res, 400, { error: 'invalid_request', message: error.message });
      } else {
        const message = describeOidcError(error);
        log(`${req.method} ${req.url} failed: ${message}`);
        sendJson(res, 500, { error: 'sidecar_error', message });
      }
    });
  }

  const server = createServer(handle);
  await ensurePrivateDir(settings.runtimeDir);
  await listenOnSocket(server, socketPath);

  let tcpServer: Server | undefined;
  if (settings.tcpPort !== undefined) {
    try {
      const secret = await readOrCreateTcpSecret(settings.configDir);
      tcpServer = await listenOnLoopbackTcp(settings.tcpPort, secret, handle);
    } catch (error) {
      server.closeAllConnections();
      server.close();
      throw error;
    }
    tcpPort = (tcpServer.address() as AddressInfo).port;
  }

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(idleTimer);
    logins.cancel('the sidecar is shutting down');
    for (const s of [server, tcpServer]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await dispatcher.destroy();
    if (process.platform !== 'win32') await unlink(socketPath).catch(() => {});
  };

  const idleMs = settings.idleExitSeconds * 1000;
  const idleTimer = setInterval(
    () => {
      if (idleMs === 0 || inFlight > 0 || logins.active) return;
      if (Date.now() - lastActivity < idleMs) return;
      log(`idle for ${settings.idleExitSeconds} s; exiting`);
      if (options.onIdle) options.onIdle();
      else void close();
    },
    Math.max(200, Math.min(idleMs / 4, 30_000)),
  );
  idleTimer.unref();

  log(`listening on ${socketPath}${tcpPort ? ` and 127.0.0.1:${tcpPort}` : ''}; store: ${store.location}`);
  return { socketPath, tcpPort, tokens, logins, close };
}
