import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../../../packages/remote-api/src/config.js';
import { parseOptions, type SetupOptions, UsageError } from '../../options.js';
import { renderResult } from '../../render.js';
import { runSetup } from '../../setup.js';
import { FakeAuth0 } from '../support/fake-management-api.js';

/** What setup-auth0 configures for URL-only MCP clients, in each mode, against the local Management API. */
const DOMAIN = 'cnpg-test.eu.auth0.com';
const TOKEN = 'mgmt-token';
const REMOTE = 'https://cnpg.example.com/mcp';

describe('setup-auth0 for URL-only clients', () => {
  let fake: FakeAuth0;
  beforeEach(async () => {
    fake = await new FakeAuth0({ domain: DOMAIN, tokens: { [TOKEN]: FakeAuth0.allScopes() } }).start();
  });
  afterEach(() => fake.close());

  const options = (extra: string[]) => {
    const parsed = parseOptions(
      [
        '--domain',
        DOMAIN,
        '--audience',
        'https://cnpg-mcp.example.com/api',
        '--remote-url',
        REMOTE,
        '--management-url',
        fake.url,
        '--no-action',
        ...extra,
      ],
      { AUTH0_MANAGEMENT_TOKEN: TOKEN },
    );
    assert.notEqual(parsed, 'help');
    return parsed as SetupOptions;
  };
  const run = (opts: SetupOptions) => runSetup(opts, async () => {});

  test('proxy (the default with --remote-url): the remote’s own web application, its secret only in a 0600 file', async () => {
    const secretsDir = join(mkdtempSync(join(tmpdir(), 'setup-auth0-')), 'oauth');
    await assert.rejects(
      run(options([])),
      (error: unknown) => error instanceof UsageError && /--secrets-dir/.test(error.message),
    );
    assert.equal(
      fake.writes().filter((w) => w.path === '/api/v2/clients' && w.method === 'POST').length,
      1,
      'only the desktop application: nothing is created whose secret would be lost',
    );
    const plan = await run(options(['--dry-run', '--secrets-dir', secretsDir]));
    assert.deepEqual(
      plan.changes.map((c) => `${c.resource}:${c.action}`),
      ['api:unchanged', 'application:unchanged', 'proxy-app:create'],
    );
    const writesBefore = fake.writes().length;
    const result = await run(options(['--secrets-dir', secretsDir]));
    assert.equal(fake.writes().length, writesBefore + 1);
    const proxyApp = [...fake.clients.values()].find((c) => c.name === 'cnpg-mcp remote');
    assert.ok(proxyApp, 'proxyApp');
    assert.equal(proxyApp.app_type, 'regular_web');
    assert.equal(proxyApp.token_endpoint_auth_method, 'client_secret_post');
    assert.deepEqual(proxyApp.callbacks, ['https://cnpg.example.com/oauth/callback']);
    assert.deepEqual(proxyApp.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(readFileSync(join(secretsDir, 'client-secret'), 'utf8').trim(), proxyApp.client_secret);
    assert.equal(statSync(join(secretsDir, 'client-secret')).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(join(secretsDir, 'keys'), 'utf8').trim(), 'base64url').length, 32);
    const rendered = renderResult(result);
    assert.ok(!rendered.includes(String(proxyApp.client_secret)), 'the secret is never printed');
    assert.ok(
      !JSON.stringify(result).includes(String(proxyApp.client_secret)),
      '!JSON.stringify(result).includes(String(proxyApp.client_secret))',
    );
    assert.match(rendered, /kubectl -n cnpg-mcp create secret generic cnpg-mcp-oauth/);
    // The printed settings start a remote API in proxy mode once the Secret is mounted.
    const config = loadConfig({
      ...result.remoteApiEnv,
      OAUTH_PROXY_CLIENT_SECRET_FILE: join(secretsDir, 'client-secret'),
      OAUTH_PROXY_KEYS_FILE: join(secretsDir, 'keys'),
      NODE_ENV: 'production',
    });
    assert.equal(config.authorization.mode, 'proxy');
    assert.equal(config.authorization.proxy?.clientId, proxyApp.client_id);
    assert.equal(config.authorization.proxy?.clientSecret, proxyApp.client_secret);
    assert.equal(config.authorization.desktopClientId, result.clientId);

    const again = await run(options(['--secrets-dir', secretsDir]));
    assert.ok(
      again.changes.every((c) => c.action === 'unchanged'),
      'idempotent',
    );
    assert.equal(fake.writes().length, writesBefore + 1);
    assert.equal(
      readFileSync(join(secretsDir, 'client-secret'), 'utf8').trim(),
      proxyApp.client_secret,
      'kept',
    );
  });

  test('pass-through: dynamic registration, resource read as audience, an API named by the MCP URL, a domain connection', async () => {
    const plan = await run(options(['--url-only', 'pass-through', '--dry-run']));
    assert.equal(fake.writes().length, 0, 'dry run writes nothing');
    assert.deepEqual(
      plan.changes.map((c) => `${c.resource}:${c.action}`),
      ['api:create', 'application:create', 'tenant:update', 'api:create', 'connection:update'],
    );
    const result = await run(options(['--url-only', 'pass-through']));
    assert.deepEqual(fake.tenantSettings, {
      flags: { enable_dynamic_client_registration: true },
      resource_parameter_profile: 'compatibility',
    });
    const mcpApi = [...fake.resourceServers.values()].find((rs) => rs.identifier === REMOTE);
    assert.ok(mcpApi, 'an API whose identifier is the MCP URL');
    assert.deepEqual(
      (mcpApi.scopes as { value: string }[]).map((scope) => scope.value),
      ['mcp:read', 'mcp:write'],
    );
    assert.equal(fake.connections.get('con_1')?.is_domain_connection, true);
    assert.equal(result.remoteApiEnv.OAUTH_MODE, 'pass-through');
    const writes = fake.writes().length;
    const again = await run(options(['--url-only', 'pass-through']));
    assert.ok(
      again.changes.every((c) => c.action === 'unchanged'),
      'idempotent',
    );
    assert.equal(fake.writes().length, writes);
  });

  test('bad choices are refused with the flag named', () => {
    assert.throws(
      () => options(['--url-only', 'sometimes']),
      /--url-only: expected proxy, pass-through or off/,
    );
    assert.throws(
      () =>
        parseOptions(['--domain', DOMAIN, '--audience', 'x', '--url-only', 'proxy'], {
          AUTH0_MANAGEMENT_TOKEN: TOKEN,
        }),
      /--url-only proxy: needs --remote-url/,
    );
    assert.throws(
      () =>
        parseOptions(['--domain', DOMAIN, '--audience', 'x', '--remote-url', 'https://cnpg.example.com/'], {
          AUTH0_MANAGEMENT_TOKEN: TOKEN,
        }),
      /--remote-url: expected PUBLIC_URL \+ \/mcp/,
    );
  });
});
