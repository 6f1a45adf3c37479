import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_USERS, type DevOidc, loginAsPerson } from '@cnpg-mcp/devstack';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  type LoginAnswer,
  loadSettings,
  type Settings,
  type SettingValue,
  SIDECAR_BASE_URL,
  type SidecarClient,
  SidecarError,
} from '../../src/index.js';

/** A private scratch directory (0700 parent) removed by cleanup(). */
export function scratchDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testSettings(
  dir: string,
  oidc: Pick<DevOidc, 'issuer' | 'clientId' | 'audience'>,
  remoteUrl: string,
  overrides: Partial<Record<keyof Settings, SettingValue>> = {},
): Settings {
  return loadSettings({
    env: {},
    flags: {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      audience: oidc.audience,
      remoteUrl,
      callbackPort: 0,
      tokenStore: 'file',
      configDir: join(dir, 'config'),
      runtimeDir: join(dir, 'run'),
      loginTimeoutSeconds: 60,
      idleExitSeconds: 0,
      ...overrides,
    },
  });
}

export function credentials(username = 'alice'): { username: string; password: string } {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no dev user ${username}`);
  return { username: user.username, password: user.password };
}

type BrowserLogin = Extract<LoginAnswer, { state: 'browser' }>;
type DeviceLogin = Extract<LoginAnswer, { state: 'device' }>;

/** Narrows a login answer to the state a test expects, failing with what it was otherwise. */
export function expectLogin<S extends LoginAnswer['state']>(
  answer: LoginAnswer | undefined,
  state: S,
): Extract<LoginAnswer, { state: S }> {
  if (answer?.state !== state)
    throw new Error(`expected a ${state} login answer, got ${JSON.stringify(answer)}`);
  return answer as Extract<LoginAnswer, { state: S }>;
}

export async function startBrowserLogin(client: SidecarClient): Promise<BrowserLogin> {
  return expectLogin(await client.login('browser'), 'browser');
}

export async function startDeviceLogin(client: SidecarClient): Promise<DeviceLogin> {
  return expectLogin(await client.login('device'), 'device');
}

/** The SidecarError a forwarded call ends with; fails when the call was answered instead. */
export async function forwardError(
  client: SidecarClient,
  init: RequestInit = { method: 'POST', body: '{}' },
): Promise<SidecarError> {
  let response: Response;
  try {
    response = await client.fetch(`${SIDECAR_BASE_URL}/mcp`, init);
  } catch (error) {
    if (error instanceof SidecarError) return error;
    throw error;
  }
  throw new Error(`expected a sidecar error, got HTTP ${response.status}: ${await response.text()}`);
}

/** Logs in through the sidecar API exactly as a person with a browser would. */
export async function loginThroughSidecar(client: SidecarClient, username = 'alice'): Promise<LoginAnswer> {
  const start = await startBrowserLogin(client);
  const page = await loginAsPerson(start.url, credentials(username));
  if (page.status !== 200) throw new Error(`callback page ${page.status}: ${page.body}`);
  return client.waitForLogin(start, { timeoutMs: 10_000 });
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  sub?: string;
  status: number;
}

/**
 * The stand-in remote API: checks the bearer (signature against the provider's JWKS, issuer,
 * audience), answers POST /mcp with JSON, streams SSE on GET /mcp when told to, and answers 401
 * on demand.
 */
export interface TestRemote {
  url: string;
  seen: SeenRequest[];
  /** The next `n` requests get 401 even with a valid token. */
  rejectNext(n: number): void;
  /** Every token seen so far is treated as revoked from now on (401). */
  denyTokensSeenSoFar(): void;
  /** The next authenticated request is answered with a redirect to `location`. */
  redirectNext(location: string, status?: number): void;
  /** Sends one SSE event to every open GET /mcp stream. */
  sendEvent(data: string): void;
  openStreams(): number;
  close(): Promise<void>;
}

export async function startRemote(
  oidc: Pick<DevOidc, 'issuer' | 'audience'>,
  tls?: { key: string; cert: string },
): Promise<TestRemote> {
  const metadata = (await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const seen: SeenRequest[] = [];
  const streams = new Set<ServerResponse>();
  let rejections = 0;
  let redirect: { location: string; status: number } | undefined;
  const seenJtis = new Set<string>();
  const deniedJtis = new Set<string>();
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const record: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    seen.push(record);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return reply(401, { error: 'no token' }, { 'www-authenticate': 'Bearer' });
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: oidc.issuer, audience: oidc.audience });
      record.sub = payload.sub;
      if (payload.jti) seenJtis.add(payload.jti);
      if (payload.jti && deniedJtis.has(payload.jti)) {
        return reply(401, { error: 'token revoked' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
    } catch (error) {
      return reply(
        401,
        { error: (error as Error).message },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    if (rejections > 0) {
      rejections--;
      return reply(
        401,
        { error: 'rejected on demand' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    if (redirect) {
      const { location, status } = redirect;
      redirect = undefined;
      return reply(status, { moved: location }, { location });
    }
    if (req.method === 'GET') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': stream open\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    return reply(200, { sub: record.sub, echo: body ? JSON.parse(body) : null }, { 'mcp-session-id': 'abc' });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/mcp`,
    seen,
    rejectNext: (n) => {
      rejections = n;
    },
    denyTokensSeenSoFar: () => {
      for (const jti of seenJtis) deniedJtis.add(jti);
    },
    redirectNext: (location, status = 307) => {
      redirect = { location, status };
    },
    sendEvent: (data) => {
      for (const stream of streams) stream.write(`data: ${data}\n\n`);
    },
    openStreams: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Collects log lines so a test can assert that no token ever reached them. */
export function captureLog(): { log: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (line) => lines.push(line), lines };
}

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl). */
export function testCertificates(dir: string): { caFile: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=cnpg-mcp test CA',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  ]);
  return {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
}
