import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { protectedResourceMetadata } from '../../src/auth/resource-metadata.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { publicAddress } from '../../src/http/public-address.js';
import { requestedScopes } from '../../src/oauth/context.js';
import { SealError, Sealer } from '../../src/oauth/sealed.js';

const minimal = {
  OIDC_ISSUER: 'https://tenant.eu.auth0.com/',
  OIDC_AUDIENCE: 'https://cnpg.example.com/api',
};
const key = () => randomBytes(32).toString('base64url');

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, 'error instanceof ConfigError');
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('settings for URL-only clients', () => {
  test('production needs PUBLIC_URL (or a trusted proxy); it is an origin without a path', () => {
    assert.match(refusal({ ...minimal, NODE_ENV: 'production' }), /PUBLIC_URL: required in production/);
    assert.equal(loadConfig({ ...minimal, NODE_ENV: 'production', TRUST_PROXY: 'true' }).production, true);
    assert.match(
      refusal({ ...minimal, PUBLIC_URL: 'https://cnpg.example.com/mcp' }),
      /PUBLIC_URL: expected an origin/,
    );
    assert.equal(
      loadConfig({ ...minimal, PUBLIC_URL: 'https://cnpg.example.com/' }).publicUrl,
      'https://cnpg.example.com',
    );
  });

  test('proxy mode names what it lacks; keys are long enough; secrets come from files', () => {
    const message = refusal({ ...minimal, OAUTH_MODE: 'proxy' });
    assert.match(message, /OAUTH_PROXY_CLIENT_ID: required when OAUTH_MODE=proxy/);
    assert.match(message, /OAUTH_PROXY_KEYS: required when OAUTH_MODE=proxy/);
    const proxy = { ...minimal, OAUTH_MODE: 'proxy', OAUTH_PROXY_CLIENT_ID: 'app' };
    assert.match(
      refusal({ ...proxy, OAUTH_PROXY_KEYS: 'c2hvcnQ' }),
      /OAUTH_PROXY_KEYS: expected one or more base64url keys of at least 32 bytes/,
    );
    assert.match(
      refusal({ ...proxy, OAUTH_PROXY_KEYS_FILE: '/nonexistent/keys' }),
      /OAUTH_PROXY_KEYS_FILE: cannot read \/nonexistent\/keys/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'keys'), `${key()}\n${key()}\n`);
    writeFileSync(join(dir, 'secret'), 'from-a-secret\n');
    const config = loadConfig({
      ...proxy,
      OAUTH_PROXY_KEYS_FILE: join(dir, 'keys'),
      OAUTH_PROXY_CLIENT_SECRET_FILE: join(dir, 'secret'),
    });
    assert.equal(config.authorization.proxy?.keys.length, 2);
    assert.equal(config.authorization.proxy?.clientSecret, 'from-a-secret');
    assert.match(
      refusal({ ...proxy, OAUTH_PROXY_KEYS: key(), TRUST_PROXY: 'true' }),
      /PUBLIC_URL: required when OAUTH_MODE=proxy/,
    );
  });

  test('origins, hosts and limits are validated', () => {
    assert.match(refusal({ ...minimal, ALLOWED_ORIGINS: 'claude.ai' }), /ALLOWED_ORIGINS: expected origins/);
    assert.match(refusal({ ...minimal, ALLOWED_HOSTS: 'https://x' }), /ALLOWED_HOSTS: expected host names/);
    assert.match(
      refusal({ ...minimal, HEADERS_TIMEOUT_SECONDS: '60', REQUEST_TIMEOUT_SECONDS: '30' }),
      /HEADERS_TIMEOUT_SECONDS: must not exceed REQUEST_TIMEOUT_SECONDS/,
    );
    assert.match(
      refusal({ ...minimal, METRICS_TOKEN: 'short' }),
      /METRICS_TOKEN: expected at least 16 characters/,
    );
  });

  test('the metadata follows the contract: resource is the MCP URL, the audience stays apart', () => {
    const passThrough = protectedResourceMetadata(
      loadConfig({ ...minimal, DESKTOP_CLIENT_ID: 'native' }),
      'https://cnpg.example.com',
    );
    assert.deepEqual(passThrough, {
      resource: 'https://cnpg.example.com/mcp',
      authorization_servers: ['https://tenant.eu.auth0.com/'],
      scopes_supported: ['mcp:read', 'mcp:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'cnpg-mcp',
      cnpg_mcp_desktop: {
        issuer: 'https://tenant.eu.auth0.com/',
        client_id: 'native',
        audience: 'https://cnpg.example.com/api',
        scopes: ['openid', 'profile', 'email', 'offline_access', 'mcp:read', 'mcp:write'],
      },
    });
    const proxy = loadConfig({
      ...minimal,
      OAUTH_MODE: 'proxy',
      OAUTH_PROXY_CLIENT_ID: 'app',
      OAUTH_PROXY_KEYS: key(),
    });
    assert.deepEqual(protectedResourceMetadata(proxy, 'https://cnpg.example.com').authorization_servers, [
      'https://cnpg.example.com',
    ]);
  });
});

describe('public address', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  test('PUBLIC_URL: only its host (default port ignored) and ALLOWED_HOSTS; origins from the list', () => {
    const address = publicAddress(
      loadConfig({
        ...minimal,
        PUBLIC_URL: 'https://cnpg.example.com',
        ALLOWED_HOSTS: 'cnpg-mcp.cnpg-mcp.svc',
        ALLOWED_ORIGINS: 'https://claude.ai',
      }),
      'http://127.0.0.1:8080',
    );
    assert.ok(address.hostAllowed('cnpg.example.com'), "address.hostAllowed('cnpg.example.com')");
    assert.ok(address.hostAllowed('CNPG.example.com:443'), "address.hostAllowed('CNPG.example.com:443')");
    assert.ok(address.hostAllowed('cnpg-mcp.cnpg-mcp.svc'), "address.hostAllowed('cnpg-mcp.cnpg-mcp.svc')");
    assert.ok(!address.hostAllowed('127.0.0.1:8080'), "!address.hostAllowed('127.0.0.1:8080')");
    assert.ok(!address.hostAllowed(undefined), '!address.hostAllowed(undefined)');
    assert.ok(address.originAllowed('https://claude.ai'), "address.originAllowed('https://claude.ai')");
    assert.ok(
      address.originAllowed('https://cnpg.example.com'),
      "address.originAllowed('https://cnpg.example.com')",
    );
    assert.ok(!address.isOwnOrigin('https://claude.ai'), "!address.isOwnOrigin('https://claude.ai')");
    assert.ok(
      !address.originAllowed('https://claude.ai.evil.example'),
      "!address.originAllowed('https://claude.ai.evil.example')",
    );
    assert.equal(address.baseFor(request({ host: 'evil.example' })), 'https://cnpg.example.com');
  });

  test('without PUBLIC_URL: the listening address and its loopback names, never the Host header', () => {
    const address = publicAddress(loadConfig({ ...minimal }), 'http://127.0.0.1:9402');
    assert.ok(address.hostAllowed('localhost:9402'), "address.hostAllowed('localhost:9402')");
    assert.ok(!address.hostAllowed('localhost:9403'), "!address.hostAllowed('localhost:9403')");
    assert.equal(address.baseFor(request({ host: 'evil.example' })), 'http://127.0.0.1:9402');
    const proxied = publicAddress(loadConfig({ ...minimal, TRUST_PROXY: 'true' }), 'http://127.0.0.1:9402');
    assert.equal(
      proxied.baseFor(
        request({ host: 'x', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cnpg.example.com' }),
      ),
      'https://cnpg.example.com',
    );
  });
});

describe('sealed values and scopes', () => {
  test('a value opens only for its own purpose, with the keys that sealed it', async () => {
    const first = randomBytes(32);
    const sealer = new Sealer([first]);
    const clientId = await sealer.seal('client', { n: 'x' });
    assert.deepEqual(await sealer.open('client', clientId), { n: 'x' });
    await assert.rejects(sealer.open('refresh', clientId), SealError);
    const rotated = new Sealer([randomBytes(32), first]);
    assert.deepEqual(await rotated.open('client', clientId), { n: 'x' }, 'the old key still opens');
    await assert.rejects(new Sealer([randomBytes(32)]).open('client', clientId), SealError);
    const expired = await sealer.seal('code', { c: 1 }, -1);
    await assert.rejects(sealer.open('code', expired), /expired/);
    assert.ok(
      sealer.clientSecretMatches(clientId, sealer.clientSecret(clientId)),
      'sealer.clientSecretMatches(clientId, sealer.clientSecret(clientId))',
    );
    assert.ok(
      !sealer.clientSecretMatches(clientId, 'guess'),
      "!sealer.clientSecretMatches(clientId, 'guess')",
    );
  });

  test('scopes: none asked means all; OpenID scopes ignored; write implies read; unknown refused', () => {
    const config = loadConfig(minimal);
    assert.deepEqual(requestedScopes(undefined, config), ['mcp:read', 'mcp:write']);
    assert.deepEqual(requestedScopes('openid offline_access mcp:read', config), ['mcp:read']);
    assert.deepEqual(requestedScopes('mcp:write', config), ['mcp:read', 'mcp:write']);
    assert.throws(() => requestedScopes('admin', config), /unknown scope admin/);
  });
});
