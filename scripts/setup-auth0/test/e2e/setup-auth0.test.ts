import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadSettings } from '../../../../packages/auth-sidecar/src/settings.js';
import { loadConfig } from '../../../../packages/remote-api/src/config.js';
import { actionCode } from '../../action.js';
import { GRANT_TYPES } from '../../application.js';
import { Auth0Error } from '../../management-client.js';
import { parseOptions, type SetupOptions } from '../../options.js';
import { renderResult } from '../../render.js';
import { runSetup } from '../../setup.js';
import { FakeAuth0 } from '../support/fake-management-api.js';

const DOMAIN = 'cnpg-test.eu.auth0.com';
const AUDIENCE = 'https://cnpg-mcp.example.com/api';
const TOKEN = 'mgmt-token-with-every-scope';
const root = new URL('../../../../', import.meta.url).pathname;

function options(
  fake: FakeAuth0,
  extra: string[] = [],
  env: Record<string, string> = { AUTH0_MANAGEMENT_TOKEN: TOKEN },
) {
  const parsed = parseOptions(
    [
      '--domain',
      DOMAIN,
      '--audience',
      AUDIENCE,
      '--remote-url',
      'https://cnpg.example.com/mcp',
      '--management-url',
      fake.url,
      // The desktop-only set-up unless a test asks for what URL-only clients need.
      ...(extra.includes('--url-only') ? [] : ['--url-only', 'off']),
      ...extra,
    ],
    env,
  );
  assert.notEqual(parsed, 'help');
  return parsed as SetupOptions;
}

/** Records the waits instead of sleeping. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const runQuietly = (opts: SetupOptions) => runSetup(opts, async () => {});

describe('setup-auth0 against a local Management API', () => {
  let fake: FakeAuth0;
  beforeEach(async () => {
    await fake?.close();
    fake = await new FakeAuth0({
      domain: DOMAIN,
      tokens: { [TOKEN]: FakeAuth0.allScopes() },
      m2mClients: [{ clientId: 'm2m-id', clientSecret: 'm2m-secret', scopes: FakeAuth0.allScopes() }],
    }).start();
  });
  after(async () => fake?.close());

  test('first run creates the API, the native app, the Action, deploys and binds it', async () => {
    const result = await runQuietly(options(fake));
    assert.deepEqual(
      result.changes.map((c) => `${c.resource}:${c.action}`),
      ['api:create', 'application:create', 'action:create', 'binding:bind'],
    );
    assert.deepEqual(
      fake.writes().map((w) => `${w.method} ${w.path.replace(/actions\/[0-9a-f-]{36}/, 'actions/ID')}`),
      [
        'POST /api/v2/resource-servers',
        'POST /api/v2/clients',
        'POST /api/v2/actions/actions',
        'POST /api/v2/actions/actions/ID/deploy',
        'PATCH /api/v2/actions/triggers/post-login/bindings',
      ],
    );
    const lookup = fake.requests.find((r) => r.method === 'GET' && r.path === '/api/v2/resource-servers');
    assert.equal(lookup?.query.identifiers, AUDIENCE, 'the API is found by the identifiers filter');
    const [rs] = fake.resourceServers.values();
    assert.equal(rs?.identifier, AUDIENCE);
    assert.equal(rs?.signing_alg, 'RS256');
    assert.equal(rs?.allow_offline_access, true);
    assert.equal(rs?.token_lifetime, 3600);
    assert.deepEqual(
      ((rs?.scopes ?? []) as { value: string }[]).map((s) => s.value),
      ['mcp:read', 'mcp:write'],
    );
    const [app] = fake.clients.values();
    assert.equal(app?.app_type, 'native');
    assert.equal(app?.token_endpoint_auth_method, 'none');
    assert.deepEqual(app?.callbacks, ['http://127.0.0.1:8888/callback']);
    assert.deepEqual(app?.grant_types, GRANT_TYPES);
    assert.deepEqual(app?.refresh_token, {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      leeway: 30,
      token_lifetime: 2592000,
      infinite_token_lifetime: false,
      idle_token_lifetime: 1296000,
      infinite_idle_token_lifetime: false,
    });
    const [action] = fake.actions.values();
    assert.equal(action?.code, actionCode(AUDIENCE));
    assert.equal(action?.runtime, 'node22');
    assert.deepEqual(
      fake.bindings.map((b) => (b.action as { id: string }).id),
      [action?.id],
    );
    // The Action was polled until built before the deploy.
    const actionGets = fake.requests.filter(
      (r) => r.method === 'GET' && r.path === `/api/v2/actions/actions/${action?.id}`,
    );
    assert.ok(actionGets.length >= 2, 'polled the build status at least twice');

    assert.equal(result.clientId, app?.client_id);
    assert.deepEqual(result.remoteApiEnv, {
      OIDC_ISSUER: `https://${DOMAIN}/`,
      OIDC_AUDIENCE: AUDIENCE,
      PUBLIC_URL: 'https://cnpg.example.com',
      // Published in the remote's metadata for the desktop's discovery.
      DESKTOP_CLIENT_ID: app?.client_id,
    });
    assert.deepEqual(result.claudeDesktop.mcpServers.cnpg?.env, {
      CNPG_MCP_ISSUER: `https://${DOMAIN}/`,
      CNPG_MCP_CLIENT_ID: app?.client_id,
      CNPG_MCP_AUDIENCE: AUDIENCE,
      CNPG_MCP_REMOTE_URL: 'https://cnpg.example.com/mcp',
    });
    // The client secret Auth0 generates for every client never reaches the output.
    assert.ok(
      !JSON.stringify(result).includes(String(app?.client_secret)),
      '!JSON.stringify(result).includes(String(app?.client_secret))',
    );
    assert.ok(!renderResult(result).includes(TOKEN), '!renderResult(result).includes(TOKEN)');
  });

  test('the printed configuration is accepted as is by the remote API and the desktop side', async () => {
    const result = await runQuietly(options(fake, ['--no-action']));
    const remote = loadConfig({ ...result.remoteApiEnv });
    assert.equal(remote.oidc.issuer, `https://${DOMAIN}/`);
    assert.equal(remote.oidc.audience, AUDIENCE);
    assert.equal(remote.publicUrl, 'https://cnpg.example.com');
    const home = mkdtempSync(join(tmpdir(), 'setup-auth0-home-'));
    const settings = loadSettings({
      env: {
        ...result.claudeDesktop.mcpServers.cnpg?.env,
        HOME: home,
        XDG_CONFIG_HOME: home,
        XDG_RUNTIME_DIR: home,
      },
    });
    assert.equal(settings.issuer, `https://${DOMAIN}/`);
    assert.equal(settings.clientId, result.clientId);
    assert.equal(settings.audience, AUDIENCE);
    assert.equal(settings.remoteUrl, 'https://cnpg.example.com/mcp');
    const stdioPackage = JSON.parse(
      readFileSync(join(root, 'packages/stdio-server/package.json'), 'utf8'),
    ) as {
      name: string;
    };
    assert.equal(
      result.claudeDesktop.mcpServers.cnpg?.args.at(-1),
      stdioPackage.name,
      'npx runs the stdio server package',
    );
  });

  test('a second run changes nothing (zero writes)', async () => {
    await runQuietly(options(fake));
    const before = fake.writes().length;
    const again = await runQuietly(options(fake));
    assert.equal(fake.writes().length, before, 'no POST or PATCH on the second run');
    assert.deepEqual(
      again.changes.map((c) => c.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    assert.match(renderResult(again), /Nothing to change/);
    assert.equal(again.clientId, [...fake.clients.values()][0]?.client_id);
  });

  test('--dry-run on an empty tenant plans every creation and writes nothing', async () => {
    const result = await runQuietly(options(fake, ['--dry-run']));
    assert.equal(fake.writes().length, 0);
    assert.deepEqual(
      result.changes.map((c) => `${c.resource}:${c.action}`),
      ['api:create', 'application:create', 'action:create', 'binding:bind'],
    );
    assert.equal(result.clientId, undefined);
    const text = renderResult(result);
    assert.match(text, /Dry run: 4 change\(s\) planned, nothing written/);
    assert.match(text, /api {9}https:\/\/cnpg-mcp.example.com\/api: would create/);
    assert.match(text, /<client id: created when run without --dry-run>/);
  });

  test('drift made by hand is reported field by field in a dry run, then repaired with one PATCH each', async () => {
    await runQuietly(options(fake));
    const [rs] = fake.resourceServers.values();
    rs!.token_lifetime = 86400;
    rs!.scopes = [{ value: 'extra:scope', description: 'added by hand' }];
    const [app] = fake.clients.values();
    app!.grant_types = ['authorization_code', 'implicit'];
    app!.callbacks = ['http://127.0.0.1:9999/callback'];
    (app!.refresh_token as Record<string, unknown>).rotation_type = 'non-rotating';
    const [action] = fake.actions.values();
    action!.code = '// edited in the dashboard';
    const writesBefore = fake.writes().length;

    const plan = await runQuietly(options(fake, ['--dry-run']));
    assert.equal(fake.writes().length, writesBefore, 'dry run writes nothing');
    assert.deepEqual(plan.changes, [
      { resource: 'api', name: AUDIENCE, action: 'update', fields: ['scopes', 'token_lifetime'] },
      {
        resource: 'application',
        name: 'cnpg-mcp',
        action: 'update',
        fields: ['callbacks', 'grant_types', 'refresh_token.rotation_type'],
      },
      { resource: 'action', name: 'cnpg-mcp-profile-claims', action: 'update', fields: ['code'] },
    ]);

    await runQuietly(options(fake));
    const writes = fake
      .writes()
      .slice(writesBefore)
      .map((w) => `${w.method} ${w.path.replace(/[0-9a-f-]{24,36}/, 'ID')}`);
    assert.deepEqual(writes, [
      'PATCH /api/v2/resource-servers/ID',
      'PATCH /api/v2/clients/ID',
      'PATCH /api/v2/actions/actions/ID',
      'POST /api/v2/actions/actions/ID/deploy',
    ]);
    // Scopes and callbacks someone added are kept; ours are restored.
    const rsNow = fake.resourceServers.get(String(rs!.id))!;
    assert.deepEqual(
      (rsNow.scopes as { value: string }[]).map((s) => s.value),
      ['extra:scope', 'mcp:read', 'mcp:write'],
    );
    const appNow = fake.clients.get(String(app!.client_id))!;
    assert.deepEqual(appNow.callbacks, ['http://127.0.0.1:9999/callback', 'http://127.0.0.1:8888/callback']);
    // The whole refresh_token object was sent, so the other settings survive the PATCH.
    assert.equal((appNow.refresh_token as Record<string, unknown>).leeway, 30);
    const finalRun = await runQuietly(options(fake));
    assert.ok(
      finalRun.changes.every((c) => c.action === 'unchanged'),
      "finalRun.changes.every((c) => c.action === 'unchanged')",
    );
  });

  test('bindings of other Actions are kept, in order, when ours is added', async () => {
    const other = fake.createAction({
      name: 'someone-elses',
      supported_triggers: [{ id: 'post-login', version: 'v3' }],
      code: 'exports.onExecutePostLogin = async () => {};',
    });
    const stored = fake.actions.get(String(other.id))!;
    stored.status = 'built';
    stored.deployed_version = { id: 'v1' };
    stored.deployed_code = stored.code;
    fake.bindings = [
      {
        id: 'b1',
        trigger_id: 'post-login',
        display_name: 'first',
        action: { id: other.id, name: 'someone-elses' },
      },
    ];
    await runQuietly(options(fake));
    assert.deepEqual(
      fake.bindings.map((b) => (b.action as { name: string }).name),
      ['someone-elses', 'cnpg-mcp-profile-claims'],
    );
    assert.equal(fake.bindings[0]?.display_name, 'first');
  });

  test('--app-client-id picks the application; duplicates by name and unknown ids are refused', async () => {
    const first = await runQuietly(options(fake, ['--no-action']));
    const writes = fake.writes().length;
    const renamed = await runQuietly(
      options(fake, ['--no-action', '--app-client-id', first.clientId!, '--app-name', 'cnpg-mcp-prod']),
    );
    assert.equal(renamed.clientId, first.clientId);
    assert.deepEqual(renamed.changes[1], {
      resource: 'application',
      name: 'cnpg-mcp-prod',
      action: 'update',
      fields: ['name'],
    });
    assert.equal(fake.writes().length, writes + 1);

    fake.createClient({ name: 'cnpg-mcp-prod', app_type: 'native' });
    const duplicate = await runQuietly(options(fake, ['--no-action', '--app-name', 'cnpg-mcp-prod'])).catch(
      (e: unknown) => e,
    );
    assert.ok(duplicate instanceof Auth0Error, 'duplicate instanceof Auth0Error');
    assert.match(
      duplicate.message,
      /--app-name: 2 native applications are named "cnpg-mcp-prod" .*pass --app-client-id/,
    );

    const unknown = await runQuietly(options(fake, ['--no-action', '--app-client-id', 'nope'])).catch(
      (e: unknown) => e,
    );
    assert.ok(unknown instanceof Auth0Error, 'unknown instanceof Auth0Error');
    assert.match(unknown.message, /--app-client-id: no application nope in this tenant/);
  });

  test('the application is found past the first page of 100 native applications', async () => {
    for (let i = 0; i < 150; i++) fake.createClient({ name: `other-${i}`, app_type: 'native' });
    await runQuietly(options(fake, ['--no-action']));
    const again = await runQuietly(options(fake, ['--no-action']));
    assert.equal(again.changes[1]?.action, 'unchanged');
    assert.ok(
      fake.requests.some((r) => r.path === '/api/v2/clients' && r.query.page === '1'),
      "fake.requests.some((r) => r.path === '/api/v2/clients' && r.query.page === '1')",
    );
  });

  test('--no-action leaves Actions alone', async () => {
    const result = await runQuietly(options(fake, ['--no-action']));
    assert.equal(result.changes.length, 2);
    assert.equal(fake.actions.size, 0);
    assert.ok(
      fake.requests.every((r) => !r.path.includes('/actions/')),
      "fake.requests.every((r) => !r.path.includes('/actions/'))",
    );
  });

  test('client credentials: the token is fetched for https://DOMAIN/api/v2/ and then used', async () => {
    await runQuietly(
      options(fake, [], {
        AUTH0_MANAGEMENT_CLIENT_ID: 'm2m-id',
        AUTH0_MANAGEMENT_CLIENT_SECRET: 'm2m-secret',
      }),
    );
    const tokenCall = fake.requests.find((r) => r.path === '/oauth/token');
    assert.deepEqual(tokenCall?.body, {
      grant_type: 'client_credentials',
      client_id: 'm2m-id',
      client_secret: 'm2m-secret',
      audience: `https://${DOMAIN}/api/v2/`,
    });
    const apiCalls = fake.requests.filter((r) => r.path.startsWith('/api/v2/'));
    assert.ok(
      apiCalls.length > 0 && apiCalls.every((r) => r.authorization?.startsWith('Bearer m2m-')),
      "apiCalls.length > 0 && apiCalls.every((r) => r.authorization?.startsWith('Bearer m2m-'))",
    );
  });

  test('wrong client secret: 401 from /oauth/token names the variables, never the secret', async () => {
    const error = await runQuietly(
      options(fake, [], {
        AUTH0_MANAGEMENT_CLIENT_ID: 'm2m-id',
        AUTH0_MANAGEMENT_CLIENT_SECRET: 'not-the-secret',
      }),
    ).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Auth0Error, 'error instanceof Auth0Error');
    assert.equal(error.status, 401);
    assert.match(error.message, /AUTH0_MANAGEMENT_CLIENT_ID \/ AUTH0_MANAGEMENT_CLIENT_SECRET/);
    assert.ok(!error.message.includes('not-the-secret'), "!error.message.includes('not-the-secret')");
  });

  test('401: a bad Management API token is reported clearly and nothing is written', async () => {
    const error = await runQuietly(
      options(fake, [], { AUTH0_MANAGEMENT_TOKEN: 'expired-token-value' }),
    ).catch((e: unknown) => e);
    assert.ok(error instanceof Auth0Error, 'error instanceof Auth0Error');
    assert.equal(error.status, 401);
    assert.match(
      error.message,
      /^GET \/api\/v2\/resource-servers: Auth0 refused the Management API token \(401: Invalid token\)/,
    );
    assert.ok(
      !error.message.includes('expired-token-value'),
      "!error.message.includes('expired-token-value')",
    );
    assert.equal(fake.writes().length, 0);
  });

  test('403: the missing scope is named, for each call that needs one', async () => {
    const cases: [string, RegExp][] = [
      ['read:resource_servers', /^GET \/api\/v2\/resource-servers: /],
      ['create:resource_servers', /^POST \/api\/v2\/resource-servers: /],
      ['create:clients', /^POST \/api\/v2\/clients: /],
      ['read:triggers', /^GET \/api\/v2\/actions\/triggers\/post-login\/bindings: /],
      ['update:triggers', /^PATCH \/api\/v2\/actions\/triggers\/post-login\/bindings: /],
    ];
    for (const [scope, operation] of cases) {
      const limited = `token-without-${scope}`;
      await fake.close();
      fake = await new FakeAuth0({
        domain: DOMAIN,
        tokens: { [limited]: FakeAuth0.allScopes().filter((s) => s !== scope) },
      }).start();
      const error = await runQuietly(options(fake, [], { AUTH0_MANAGEMENT_TOKEN: limited })).catch(
        (e: unknown) => e,
      );
      assert.ok(error instanceof Auth0Error, scope);
      assert.equal(error.status, 403);
      assert.match(error.message, operation);
      assert.match(error.message, new RegExp(`Grant the scope ${scope} `));
    }
  });

  test('409: a conflict on create explains what happened', async () => {
    fake.failNext({
      method: 'POST',
      path: '/api/v2/resource-servers',
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'A resource server with the same identifier already exists',
        errorCode: 'conflict',
      },
    });
    const error = await runQuietly(options(fake)).catch((e: unknown) => e);
    assert.ok(error instanceof Auth0Error, 'error instanceof Auth0Error');
    assert.equal(error.status, 409);
    assert.match(
      error.message,
      /conflict \(409: A resource server with the same identifier already exists\).*run the command again/,
    );
  });

  test('429: Retry-After is honoured and the call succeeds on retry', async () => {
    fake.failNext({
      method: 'POST',
      path: '/api/v2/clients',
      status: 429,
      body: {
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Global limit has been reached',
        errorCode: 'too_many_requests',
      },
      headers: { 'retry-after': '3', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' },
      times: 2,
    });
    const { waits, sleep } = recordingSleep();
    const result = await runSetup(options(fake), sleep);
    assert.equal(result.changes[1]?.action, 'create');
    assert.deepEqual(waits.slice(0, 2), [3000, 3000]);
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/clients').length, 3);
    assert.equal(fake.clients.size, 1);
  });

  test('429: retries are bounded, and an over-long Retry-After is refused', async () => {
    fake.failNext({
      method: 'GET',
      path: '/api/v2/resource-servers',
      status: 429,
      body: { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached' },
      headers: { 'retry-after': '1' },
      times: 10,
    });
    const { waits, sleep } = recordingSleep();
    const error = await runSetup(options(fake, ['--max-retries', '2']), sleep).catch((e: unknown) => e);
    assert.ok(error instanceof Auth0Error, 'error instanceof Auth0Error');
    assert.equal(error.status, 429);
    assert.deepEqual(waits, [1000, 1000]);
    assert.equal(fake.requests.length, 3);

    await fake.close();
    fake = await new FakeAuth0({ domain: DOMAIN, tokens: { [TOKEN]: FakeAuth0.allScopes() } }).start();
    fake.failNext({
      method: 'GET',
      path: '/api/v2/',
      status: 429,
      body: {},
      headers: { 'retry-after': '3600' },
    });
    const tooLong = await runSetup(options(fake), sleep).catch((e: unknown) => e);
    assert.ok(tooLong instanceof Auth0Error, 'tooLong instanceof Auth0Error');
    assert.match(tooLong.message, /asks to wait 3600 s \(more than --max-retry-wait 60 s\)/);
  });
});

describe('setup-auth0 command line', () => {
  let fake: FakeAuth0;
  before(async () => {
    fake = await new FakeAuth0({ domain: DOMAIN, tokens: { [TOKEN]: FakeAuth0.allScopes() } }).start();
  });
  after(async () => fake.close());

  // Asynchronous: the fake Management API answers from this same process.
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/setup-auth0/main.ts', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  test('prints the configuration as JSON and exits 0; usage errors exit 2 on stderr', async () => {
    const ok = await run(
      ['--domain', DOMAIN, '--audience', AUDIENCE, '--management-url', fake.url, '--json', '--no-action'],
      { AUTH0_MANAGEMENT_TOKEN: TOKEN },
    );
    assert.equal(ok.status, 0, ok.stderr);
    const printed = JSON.parse(ok.stdout) as { clientId: string; remoteApiEnv: Record<string, string> };
    assert.equal(printed.clientId, [...fake.clients.values()][0]?.client_id);
    assert.equal(printed.remoteApiEnv.OIDC_ISSUER, `https://${DOMAIN}/`);
    assert.ok(!ok.stdout.includes(TOKEN), '!ok.stdout.includes(TOKEN)');

    const bad = await run(['--domain', DOMAIN], { AUTH0_MANAGEMENT_TOKEN: TOKEN });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^setup-auth0: --audience: expected the API identifier/);
  });
});
