import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as oidc from 'openid-client';
import type { z } from 'zod';
import {
  type HealthResponse,
  MCP_PATH,
  ROUTES,
  type RouteKey,
  type RouteResponse,
  SidecarError,
} from '../api.js';
import { sidecarProfile, sidecarSocketPath } from '../locations.js';
import { type Env, ensurePrivateRuntimeDir } from '../paths.js';
import { createLogger, type Logger } from '../redact.js';
import type { Settings } from '../settings.js';
import { SIDECAR_VERSION } from '../version.js';
import { errorBody } from './errors.js';
import { forwardMcp } from './forward.js';
import { invalidRequest, parseWith, readJson, sendError, sendJson } from './json.js';
import { listenOnLoopbackTcp, listenOnSocket } from './listeners.js';
import { LoginCoordinator } from './oidc/login.js';
import { discoverProvider } from './oidc/provider.js';
import { createOutbound } from './outbound.js';
import { selectTokenStore } from './store/select-store.js';
import type { TokenStore } from './store/types.js';
import { readOrCreateTcpSecret } from './tcp-secret.js';
import { TokenManager } from './token-manager.js';

export interface SidecarOptions {
  settings: Settings;
  env?: Env;
  log?: Logger;
  /** Token store; default chosen from settings and env (selectTokenStore). */
  store?: TokenStore;
  /** Decides 'auto' login mode; default DISPLAY / WAYLAND_DISPLAY. */
  hasDisplay?: () => boolean;
  /** Called after the idle time without requests; default closes the sidecar. */
  onIdle?: () => void;
  /**
   * Idle time until the first forwarded call (default settings.idleExitSeconds): a sidecar started
   * for a one-shot command (status, token, logout) does not linger for the full idle time.
   */
  startIdleSeconds?: number;
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

/**
 * Request targets in origin form made of plain lower-case segments, with an optional plain query.
 * Anything else (`..`, percent-encoding, `//`, backslashes, absolute-form `http://…`) is refused
 * before routing, so no spelling of a path can turn a forwarded call into a control request or
 * the other way round.
 */
const CANONICAL_TARGET = /^(\/[a-z]+)+(\?[A-Za-z0-9_.~=&-]*)?$/;

type Handlers = {
  [K in RouteKey]: (input: z.output<(typeof ROUTES)[K]['request']>) => Promise<RouteResponse<K>>;
};

/** Starts the sidecar's HTTP API on its Unix socket (and the optional loopback TCP port). */
export async function startSidecar(options: SidecarOptions): Promise<RunningSidecar> {
  const { settings } = options;
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger();
  const socketPath = options.socketPath ?? sidecarSocketPath(settings, env);
  const outbound = createOutbound(env);
  const store = options.store ?? selectTokenStore(settings, { env, announce: log });
  let discovered: Promise<oidc.Configuration> | undefined;
  const provider = () => {
    discovered ??= discoverProvider(settings, outbound.oidcFetch).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const tokens = new TokenManager({ settings, store, provider, log });
  const logins = new LoginCoordinator({ settings, provider, tokens, log, hasDisplay: options.hasDisplay });
  const remoteUrl = new URL(settings.remoteUrl);
  const health: HealthResponse = {
    ok: true,
    pid: process.pid,
    version: SIDECAR_VERSION,
    profile: sidecarProfile(settings, env),
  };
  let inFlight = 0;
  let lastActivity = Date.now();
  let forwardedAny = false;
  let tcpPort: number | undefined;

  const handlers: Handlers = {
    'GET /health': async () => health,
    'GET /status': async ({ identify }) => {
      let status = await tokens.status();
      // A login kept without its user (a refresh-token file) learns who it is from one token.
      if (identify && status.loggedIn && !status.user) {
        await tokens.accessToken().catch(() => undefined);
        status = await tokens.status();
      }
      return {
        ...status,
        store: store.kind,
        storeLocation: store.location,
        remoteUrl: settings.remoteUrl,
        issuer: settings.issuer,
        ...(logins.running ? { login: logins.running } : {}),
        pid: process.pid,
        ...(tcpPort === undefined ? {} : { tcpPort }),
      };
    },
    'POST /login': async ({ mode }) => logins.start(mode),
    'GET /login/wait': async ({ login, timeoutMs }) => logins.wait(login, timeoutMs),
    'POST /login/paste': async ({ url }) => logins.completeFromPastedUrl(url),
    'POST /logout': async () => {
      logins.cancel('logged out');
      return tokens.logout();
    },
    'GET /token': async () => {
      const token = await tokens.accessToken();
      return { access_token: token.token, expires_at: new Date(token.expiresAt).toISOString() };
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '';
    if (!CANONICAL_TARGET.test(target)) {
      throw invalidRequest(
        `request target ${JSON.stringify(target.slice(0, 200))} is not a plain path (expected e.g. /status or ${MCP_PATH})`,
      );
    }
    const [path = '', query = ''] = target.split('?', 2);
    if (path === MCP_PATH) {
      forwardedAny = true;
      return forwardMcp(req, res, { remoteUrl, outbound, tokens, logins, log });
    }
    const key = `${req.method ?? 'GET'} ${path}`;
    if (!Object.hasOwn(handlers, key)) {
      throw new SidecarError({ code: 'ERR_NOT_FOUND', message: `${key} is not part of the sidecar API` });
    }
    const routeKey = key as RouteKey;
    const raw = req.method === 'GET' ? Object.fromEntries(new URLSearchParams(query)) : await readJson(req);
    const input = parseWith(ROUTES[routeKey].request, raw, req.method === 'GET' ? 'query' : 'body');
    const handler = handlers[routeKey] as (input: unknown) => Promise<unknown>;
    sendJson(res, 200, await handler(input));
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
      const body = errorBody(error);
      if (body.code === 'ERR_INTERNAL') log(`${req.method} ${req.url} failed: ${body.message}`);
      else if (path(req) === MCP_PATH) log(`${req.method} ${MCP_PATH}: ${body.code}: ${body.message}`);
      sendError(res, body);
    });
  }

  const server = createServer(handle);
  await ensurePrivateRuntimeDir(settings.runtimeDir);
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
    await outbound.close();
    if (process.platform !== 'win32') await unlink(socketPath).catch(() => {});
  };

  const idleSeconds = () =>
    forwardedAny ? settings.idleExitSeconds : (options.startIdleSeconds ?? settings.idleExitSeconds);
  const checkEveryMs = Math.max(200, Math.min((idleSeconds() * 1000) / 4, 30_000));
  const idleTimer = setInterval(() => {
    const idleMs = idleSeconds() * 1000;
    if (idleMs === 0 || inFlight > 0 || logins.active) return;
    if (Date.now() - lastActivity < idleMs) return;
    log(`idle for ${idleSeconds()} s; exiting`);
    if (options.onIdle) options.onIdle();
    else void close();
  }, checkEveryMs);
  idleTimer.unref();

  log(`listening on ${socketPath}${tcpPort ? ` and 127.0.0.1:${tcpPort}` : ''}; store: ${store.location}`);
  return { socketPath, tcpPort, tokens, logins, close };
}

function path(req: IncomingMessage): string {
  return (req.url ?? '').split('?', 1)[0] ?? '';
}
