import {
  createDispatcher,
  type Env,
  ensureSidecar,
  envName,
  KeychainTokenStore,
  type Settings,
  SidecarClient,
  SidecarError,
  sidecarLogPath,
} from '@cnpg-mcp/auth-sidecar';
import { type Dispatcher, request } from 'undici';
import type { Io } from '../io.js';
import { metadataLocations } from '../settings/discovery.js';
import type { SettingsFor } from '../settings/resolve.js';
import { describeUser } from './account.js';
import { checkClaudeDesktop } from './claude-desktop-check.js';

export type CheckState = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  state: CheckState;
  detail: string;
  fix?: string;
}

const MIN_NODE = [20, 18] as const;
const SKEW_WARN_SECONDS = 30;
const TIMEOUT_MS = 10_000;

export function checkNode(version = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { name: 'node', state: 'ok', detail: `Node.js ${version}` }
    : {
        name: 'node',
        state: 'fail',
        detail: `Node.js ${version} is too old`,
        fix: `install Node.js ${MIN_NODE.join('.')} or newer (and point Claude Desktop's "command" at it with an absolute path)`,
      };
}

/** Each setting that matters, its value and where it came from (flag, env, config file, discovered, cached). */
export function checkConfig(resolved: SettingsFor): CheckResult[] {
  const { settings, sources, discovery } = resolved;
  const shown = ['remoteUrl', 'issuer', 'clientId', 'audience', 'resource', 'scopes', 'tokenStore'] as const;
  const lines = shown
    .filter((name) => settings[name] !== undefined)
    .map((name) => `${name} = ${settings[name]}   (${sources[name].detail})`);
  const results: CheckResult[] = [{ name: 'config', state: 'ok', detail: lines.join('\n') }];
  if (discovery.state === 'cached' && discovery.refreshError) {
    results.push({
      name: 'discovery',
      state: 'warn',
      detail: `using what was cached in ${discovery.cachePath}; asking the remote again failed: ${discovery.refreshError}`,
      fix: 'check the remote URL and your network; the cached settings stay in use meanwhile',
    });
  } else if (discovery.state === 'discovered') {
    results.push({
      name: 'discovery',
      state: 'ok',
      detail: `the remote API publishes its settings at ${discovery.discovery.url} (cached for offline start-up)`,
    });
  }
  return results;
}

async function checkKeychain(settings: Settings, env: Env): Promise<CheckResult> {
  if (env.CNPG_MCP_REFRESH_TOKEN || settings.refreshTokenFile) {
    return {
      name: 'token store',
      state: 'ok',
      detail: env.CNPG_MCP_REFRESH_TOKEN
        ? 'headless: refresh token from CNPG_MCP_REFRESH_TOKEN (no keychain used)'
        : `headless: refresh token file ${settings.refreshTokenFile}`,
    };
  }
  if (settings.tokenStore === 'file') {
    return {
      name: 'token store',
      state: 'ok',
      detail: `file store in ${settings.configDir} (mode 0600), chosen with tokenStore=file`,
    };
  }
  const store = new KeychainTokenStore({
    issuer: settings.issuer,
    clientId: settings.clientId,
    audience: settings.audience,
    resource: settings.resource,
  });
  try {
    await store.probe();
    return { name: 'token store', state: 'ok', detail: 'OS keychain works (set/get/delete probe)' };
  } catch (error) {
    return {
      name: 'token store',
      state: 'fail',
      detail: (error as Error).message,
      fix: `fix the keychain, or choose the file store explicitly: ${envName('tokenStore')}=file (or --token-store file)`,
    };
  }
}

interface HttpAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

async function send(
  url: string,
  dispatcher: Dispatcher,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  const response = await request(url, {
    dispatcher,
    method: init.method ?? 'GET',
    headers: { accept: 'application/json', ...init.headers },
    body: init.body,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  const text = await response.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.statusCode, body, headers: response.headers };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

async function checkProvider(settings: Settings, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const url = `${trimSlash(settings.issuer)}/.well-known/openid-configuration`;
  let answer: HttpAnswer;
  try {
    answer = await send(url, dispatcher);
  } catch (error) {
    return [
      {
        name: 'provider',
        state: 'fail',
        detail: `cannot reach ${url}: ${(error as Error).message}`,
        fix: 'check the issuer setting, your network and proxy (HTTPS_PROXY / NO_PROXY)',
      },
    ];
  }
  const results: CheckResult[] = [];
  const meta = answer.body as Record<string, unknown>;
  if (answer.status !== 200 || typeof meta !== 'object' || meta === null) {
    results.push({
      name: 'provider',
      state: 'fail',
      detail: `${url} answered HTTP ${answer.status}`,
      fix: 'check the issuer setting (for Auth0: https://TENANT.REGION.auth0.com/)',
    });
  } else {
    const problems: string[] = [];
    if (trimSlash(String(meta.issuer)) !== trimSlash(settings.issuer)) {
      problems.push(`discovery says issuer ${meta.issuer}, settings say ${settings.issuer}`);
    }
    const methods = meta.code_challenge_methods_supported;
    if (!Array.isArray(methods) || !methods.includes('S256')) problems.push('PKCE S256 is not advertised');
    results.push(
      problems.length === 0
        ? {
            name: 'provider',
            state: 'ok',
            detail: `${meta.issuer}: discovery OK, PKCE S256${meta.device_authorization_endpoint ? ', device flow' : ''}`,
          }
        : {
            name: 'provider',
            state: 'fail',
            detail: problems.join('; '),
            fix: 'set issuer exactly as the provider reports it (scheme, host, trailing slash)',
          },
    );
  }
  const date = typeof answer.headers.date === 'string' ? answer.headers.date : undefined;
  if (date) {
    const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
    results.push(
      Math.abs(skew) <= SKEW_WARN_SECONDS
        ? { name: 'clock', state: 'ok', detail: `clock within ${Math.abs(skew)} s of the provider` }
        : {
            name: 'clock',
            state: 'warn',
            detail: `this clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the provider`,
            fix: 'turn on time synchronisation (NTP); skew makes fresh tokens look expired or not yet valid',
          },
    );
  } else {
    results.push({ name: 'clock', state: 'skip', detail: 'the provider sent no Date header' });
  }
  return results;
}

/** An MCP initialize, as a client's first message, to see what answers at the remote URL. */
function initializeBody(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'cnpg-mcp doctor', version: '1' },
    },
  });
}

function postInitialize(remoteUrl: string, dispatcher: Dispatcher, token?: string): Promise<HttpAnswer> {
  return send(remoteUrl, dispatcher, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: initializeBody(),
  });
}

/** Why the remote refused: the WWW-Authenticate error description, a JSON message, or the text. */
function refusal(answer: HttpAnswer): string {
  const challenge = String(answer.headers['www-authenticate'] ?? '');
  const described = /error_description="([^"]*)"/.exec(challenge)?.[1];
  if (described) return described;
  const body = answer.body as { error_description?: unknown; message?: unknown; error?: unknown } | string;
  if (typeof body === 'string') return body.trim().slice(0, 200) || 'no reason given';
  const message = body?.error_description ?? body?.message ?? body?.error;
  return typeof message === 'string' ? message : JSON.stringify(body).slice(0, 200);
}

/**
 * The remote URL must be the MCP endpoint: an MCP request without a login must be refused for the
 * login (401), not for the path (404, 405); and what the remote publishes about itself must name
 * that URL and the provider the settings use.
 */
async function checkRemote(settings: Settings, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const remoteUrl = settings.remoteUrl;
  const endpointFix = `set the remote URL (--remote-url, ${envName('remoteUrl')}) to the remote API's MCP endpoint, e.g. ${new URL(remoteUrl).origin}/mcp`;
  let answer: HttpAnswer;
  try {
    answer = await postInitialize(remoteUrl, dispatcher);
  } catch (error) {
    return [
      {
        name: 'remote',
        state: 'fail',
        detail: `cannot reach ${remoteUrl}: ${(error as Error).message}`,
        fix: 'check the remote URL, your network, VPN and proxy (HTTPS_PROXY / NO_PROXY)',
      },
    ];
  }
  const results: CheckResult[] = [];
  if (answer.status === 401) {
    results.push({ name: 'remote', state: 'ok', detail: `${remoteUrl} answers MCP and asks for a login` });
  } else if (answer.status >= 200 && answer.status < 300) {
    results.push({
      name: 'remote',
      state: 'warn',
      detail: `${remoteUrl} answered an MCP request without any login (HTTP ${answer.status})`,
      fix: 'make sure this is the cnpg-mcp remote API and that it checks tokens',
    });
  } else if (answer.status >= 300 && answer.status < 400) {
    results.push({
      name: 'remote',
      state: 'fail',
      detail: `${remoteUrl} answered with a redirect (HTTP ${answer.status} to ${answer.headers.location ?? 'nowhere'}); cnpg-mcp never follows redirects`,
      fix: endpointFix,
    });
  } else {
    results.push({
      name: 'remote',
      state: 'fail',
      detail: `${remoteUrl} answered an MCP request with HTTP ${answer.status} (${refusal(answer)}): it is not the MCP endpoint, so every call would fail`,
      fix: endpointFix,
    });
  }
  results.push(await checkResourceMetadata(settings, dispatcher));
  return results;
}

async function checkResourceMetadata(settings: Settings, dispatcher: Dispatcher): Promise<CheckResult> {
  let found: { url: string; metadata: Record<string, unknown> } | undefined;
  for (const url of metadataLocations(settings.remoteUrl)) {
    const answer = await send(url, dispatcher).catch(() => undefined);
    if (answer?.status === 200 && typeof answer.body === 'object' && answer.body !== null) {
      found = { url, metadata: answer.body as Record<string, unknown> };
      break;
    }
  }
  if (!found) {
    return {
      name: 'metadata',
      state: 'skip',
      detail: 'the remote API publishes no RFC 9728 metadata for this URL',
    };
  }
  const { url, metadata } = found;
  const problems: string[] = [];
  if (trimSlash(String(metadata.resource)) !== trimSlash(settings.remoteUrl)) {
    problems.push(`it describes ${metadata.resource}, not ${settings.remoteUrl}`);
  }
  const desktop = (metadata.cnpg_mcp_desktop ?? {}) as Record<string, unknown>;
  const servers = Array.isArray(metadata.authorization_servers)
    ? metadata.authorization_servers.map(String)
    : [];
  const trusted = typeof desktop.issuer === 'string' ? [desktop.issuer] : servers;
  if (trusted.length > 0 && !trusted.map(trimSlash).includes(trimSlash(settings.issuer))) {
    problems.push(
      `it names the provider ${trusted.join(', ')}, while the settings log in at ${settings.issuer}`,
    );
  }
  if (typeof desktop.audience === 'string' && desktop.audience !== (settings.audience ?? settings.resource)) {
    problems.push(
      `it expects the audience ${desktop.audience}, while logins ask for ${settings.audience ?? 'none'}`,
    );
  }
  return problems.length === 0
    ? { name: 'metadata', state: 'ok', detail: `${url} matches the settings` }
    : {
        name: 'metadata',
        state: 'warn',
        detail: `${url}: ${problems.join('; ')}`,
        fix: 'remove the explicit issuer/audience settings (the remote publishes them) or make them match',
      };
}

/** With a login, a real MCP request with its access token: the remote must accept it. */
async function checkLoginAtRemote(
  settings: Settings,
  client: SidecarClient,
  dispatcher: Dispatcher,
): Promise<CheckResult> {
  let token: string;
  try {
    token = (await client.token()).access_token;
  } catch (error) {
    return {
      name: 'remote login',
      state: 'fail',
      detail: `no access token: ${(error as Error).message}`,
      fix: 'run `cnpg-mcp login`',
    };
  }
  let answer: HttpAnswer;
  try {
    answer = await postInitialize(settings.remoteUrl, dispatcher, token);
  } catch (error) {
    return {
      name: 'remote login',
      state: 'skip',
      detail: `the remote could not be asked: ${(error as Error).message}`,
    };
  }
  if (answer.status >= 200 && answer.status < 300) {
    return { name: 'remote login', state: 'ok', detail: 'the remote API accepts the login' };
  }
  if (answer.status !== 401 && answer.status !== 403) {
    return {
      name: 'remote login',
      state: 'skip',
      detail: `the remote answered HTTP ${answer.status} (see the remote check)`,
    };
  }
  const reason = refusal(answer);
  const audienceProblem = /not a JWT|audience|\baud\b|JWE|encrypted/i.test(reason);
  return {
    name: 'remote login',
    state: 'fail',
    detail: `the remote API refuses the login's access token: ${reason}`,
    fix: audienceProblem
      ? `the token was issued without the remote API's audience: set audience (--audience, ${envName('audience')}) ` +
        'to the identifier the remote API expects (or leave it to the remote to publish), then run ' +
        '`cnpg-mcp logout` and `cnpg-mcp login`'
      : answer.status === 403
        ? `ask for the scopes the remote needs (--scopes, ${envName('scopes')}), then log in again`
        : 'make issuer and audience match what the remote API expects, then log in again',
  };
}

async function checkSidecar(settings: Settings, env: Env, dispatcher: Dispatcher): Promise<CheckResult[]> {
  let client: SidecarClient | undefined;
  try {
    const ensured = await ensureSidecar(settings, { env, oneShot: true });
    client = new SidecarClient(ensured.socketPath);
    const status = await client.status({ identify: true });
    const results: CheckResult[] = [
      { name: 'sidecar', state: 'ok', detail: `pid ${status.pid} on ${ensured.socketPath}` },
    ];
    if (!status.loggedIn) {
      results.push({
        name: 'login',
        state: 'warn',
        detail: status.storeError ? `not logged in (${status.storeError})` : 'not logged in',
        fix: 'run `cnpg-mcp login` (add --device on a machine without a browser)',
      });
      return results;
    }
    const who = describeUser(status.user);
    results.push({
      name: 'login',
      state: 'ok',
      detail:
        `${who ? `logged in as ${who}` : 'logged in (who you are shows after the first call)'}` +
        `${status.accessTokenExpiresAt ? `; access token valid until ${status.accessTokenExpiresAt}` : ''}`,
    });
    results.push(await checkLoginAtRemote(settings, client, dispatcher));
    return results;
  } catch (error) {
    if (error instanceof SidecarError) {
      return [{ name: 'login', state: 'fail', detail: error.message, fix: 'run `cnpg-mcp login`' }];
    }
    return [
      {
        name: 'sidecar',
        state: 'fail',
        detail: (error as Error).message,
        fix: `read the sidecar log ${sidecarLogPath(settings, env)}; check runtimeDir (${settings.runtimeDir}) is yours and writable`,
      },
    ];
  } finally {
    await client?.close();
  }
}

/** Runs every check (configuration problems stop the rest, since nothing else can be checked). */
export async function runChecks(resolved: SettingsFor | { error: string }, env: Env): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNode(), checkClaudeDesktop(env)];
  if ('error' in resolved) {
    results.push({
      name: 'config',
      state: 'fail',
      detail: resolved.error,
      fix: 'give the remote URL (--remote-url); set whatever it does not publish with flags, CNPG_MCP_* variables or the config file',
    });
    return results;
  }
  results.push(...checkConfig(resolved));
  const { settings } = resolved;
  const dispatcher = createDispatcher(env);
  try {
    results.push(await checkKeychain(settings, env));
    results.push(...(await checkProvider(settings, dispatcher)));
    results.push(...(await checkRemote(settings, dispatcher)));
    results.push(...(await checkSidecar(settings, env, dispatcher)));
  } finally {
    await dispatcher.close();
  }
  return results;
}

const MARK: Record<CheckState, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export async function doctorCommand(
  resolved: SettingsFor | { error: string },
  env: Env,
  io: Io,
  json: boolean,
): Promise<number> {
  const results = await runChecks(resolved, env);
  if (json) io.out(`${JSON.stringify(results, null, 2)}\n`);
  else {
    const indent = ' '.repeat(19);
    for (const result of results) {
      const [first, ...more] = result.detail.split('\n');
      io.out(`[${MARK[result.state]}] ${result.name.padEnd(12)} ${first}\n`);
      for (const line of more) io.out(`${indent}${line}\n`);
      if (result.fix) io.out(`${indent}fix: ${result.fix}\n`);
    }
  }
  return results.some((result) => result.state === 'fail') ? 1 : 0;
}
