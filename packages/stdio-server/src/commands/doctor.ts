import {
  createDispatcher,
  type Env,
  ensureSidecar,
  envName,
  KeychainTokenStore,
  type Settings,
  SidecarClient,
  sidecarLogPath,
} from '@cnpg-mcp/auth-sidecar';
import { type Dispatcher, request } from 'undici';
import type { Io } from './account.js';
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

async function getJson(
  url: string,
  dispatcher: Dispatcher,
): Promise<{ status: number; body: unknown; date?: string; headers: Record<string, unknown> }> {
  const response = await request(url, {
    dispatcher,
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await response.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  const date = response.headers.date;
  return {
    status: response.statusCode,
    body,
    date: typeof date === 'string' ? date : undefined,
    headers: response.headers,
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

async function checkProvider(settings: Settings, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const url = `${trimSlash(settings.issuer)}/.well-known/openid-configuration`;
  let answer: Awaited<ReturnType<typeof getJson>>;
  try {
    answer = await getJson(url, dispatcher);
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
  if (answer.date) {
    const skew = Math.round((Date.now() - Date.parse(answer.date)) / 1000);
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

async function checkRemote(settings: Settings, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const remote = new URL(settings.remoteUrl);
  const candidates = [
    `${remote.origin}/.well-known/oauth-protected-resource${remote.pathname === '/' ? '' : remote.pathname}`,
    `${remote.origin}/.well-known/oauth-protected-resource`,
  ];
  let metadata: Record<string, unknown> | undefined;
  let lastProblem = '';
  for (const url of candidates) {
    try {
      const answer = await getJson(url, dispatcher);
      if (answer.status === 200 && typeof answer.body === 'object' && answer.body !== null) {
        metadata = answer.body as Record<string, unknown>;
        break;
      }
      lastProblem = `${url} answered HTTP ${answer.status}`;
    } catch (error) {
      lastProblem = `cannot reach ${url}: ${(error as Error).message}`;
    }
  }
  if (!metadata) {
    return [
      {
        name: 'remote',
        state: 'fail',
        detail: lastProblem,
        fix: "check remoteUrl (the remote API's /mcp URL), your network, VPN and proxy",
      },
    ];
  }
  const servers = Array.isArray(metadata.authorization_servers)
    ? metadata.authorization_servers.map(String)
    : [];
  const problems: string[] = [];
  if (!servers.map(trimSlash).includes(trimSlash(settings.issuer))) {
    problems.push(`it trusts ${servers.join(', ') || 'no issuer'}, not ${settings.issuer}`);
  }
  const wanted = settings.resource ?? settings.audience;
  if (wanted && metadata.resource !== wanted && trimSlash(String(metadata.resource)) !== trimSlash(wanted)) {
    problems.push(`its resource is ${metadata.resource}, while logins ask for ${wanted}`);
  }
  return [
    problems.length === 0
      ? {
          name: 'remote',
          state: 'ok',
          detail: `${remote.origin} reachable; RFC 9728 metadata matches the settings`,
        }
      : {
          name: 'remote',
          state: 'warn',
          detail: `RFC 9728 metadata: ${problems.join('; ')}`,
          fix: 'make issuer and audience/resource match what the remote API expects, or tokens will be refused',
        },
  ];
}

async function checkSidecar(settings: Settings, env: Env): Promise<CheckResult[]> {
  let client: SidecarClient | undefined;
  try {
    const ensured = await ensureSidecar(settings, { env });
    client = new SidecarClient(ensured.socketPath);
    const status = await client.status();
    return [
      { name: 'sidecar', state: 'ok', detail: `pid ${status.pid} on ${ensured.socketPath}` },
      status.loggedIn
        ? {
            name: 'login',
            state: 'ok',
            detail: `logged in as ${status.user?.email ?? status.user?.sub}; access token until ${status.accessTokenExpiresAt ?? 'not fetched yet'}`,
          }
        : {
            name: 'login',
            state: 'warn',
            detail: status.storeError ? `not logged in (${status.storeError})` : 'not logged in',
            fix: 'run `cnpg-mcp login` (add --device on a machine without a browser)',
          },
    ];
  } catch (error) {
    return [
      {
        name: 'sidecar',
        state: 'fail',
        detail: (error as Error).message,
        fix: `read the sidecar log ${sidecarLogPath(settings)}; check runtimeDir (${settings.runtimeDir}) is yours and writable`,
      },
    ];
  } finally {
    await client?.close();
  }
}

/** Runs every check (configuration problems stop the rest, since nothing else can be checked). */
export async function runChecks(settings: Settings | { error: string }, env: Env): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNode(), checkClaudeDesktop(env)];
  if ('error' in settings) {
    results.push({
      name: 'config',
      state: 'fail',
      detail: settings.error,
      fix: 'set the named settings with flags, CNPG_MCP_* variables or the config file',
    });
    return results;
  }
  results.push({
    name: 'config',
    state: 'ok',
    detail: `issuer ${settings.issuer}, client ${settings.clientId}, remote ${settings.remoteUrl}`,
  });
  const dispatcher = createDispatcher(env);
  try {
    results.push(await checkKeychain(settings, env));
    results.push(...(await checkProvider(settings, dispatcher)));
    results.push(...(await checkRemote(settings, dispatcher)));
    results.push(...(await checkSidecar(settings, env)));
  } finally {
    await dispatcher.close();
  }
  return results;
}

const MARK: Record<CheckState, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export async function doctorCommand(
  settings: Settings | { error: string },
  env: Env,
  io: Io,
  json: boolean,
): Promise<number> {
  const results = await runChecks(settings, env);
  if (json) io.out(`${JSON.stringify(results, null, 2)}\n`);
  else {
    for (const result of results) {
      io.out(`[${MARK[result.state]}] ${result.name.padEnd(11)} ${result.detail}\n`);
      if (result.fix) io.out(`       ${' '.repeat(11)} fix: ${result.fix}\n`);
    }
  }
  return results.some((result) => result.state === 'fail') ? 1 : 0;
}
