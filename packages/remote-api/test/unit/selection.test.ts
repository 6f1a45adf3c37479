import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { credentialReveal, DEFAULT_TOOLSETS, TOOLSET_NAMES } from '@cnpg-mcp/catalog';
import { canElicitForm, clientFacts, sessionIdFor } from '../../src/elicitation/session.js';
import { SelectionError, toolSelection } from '../../src/http/tool-selection.js';
import { identityFromClaims } from '../../src/identity.js';
import { accessFor, parsePolicy } from '../../src/policy.js';
import { implementations } from '../../src/tools/registry.js';
import { hiddenReason, type ToolSelection } from '../../src/tools/visibility.js';

describe('toolSelection', () => {
  const select = (path: string, headers: Record<string, string> = {}) =>
    toolSelection(path, headers, [...DEFAULT_TOOLSETS]);

  test('the default, the URL path, the header (which wins), read-only by path or header', () => {
    assert.deepEqual(select('/mcp'), {
      toolsets: DEFAULT_TOOLSETS,
      toolsetsBy: "the server's default toolsets (TOOLSETS)",
      readOnly: false,
      readOnlyBy: '',
    });
    assert.deepEqual(select('/mcp/x/backups,roles').toolsets, ['roles', 'backups']);
    assert.deepEqual(select('/mcp/x/backups%2Croles/').toolsets, ['roles', 'backups']);
    assert.deepEqual(select('/mcp/x/backups', { 'x-mcp-toolsets': 'poolers' }).toolsets, ['poolers']);
    assert.deepEqual(select('/mcp/x/all/readonly').toolsets, TOOLSET_NAMES);
    assert.equal(select('/mcp/readonly').readOnlyBy, 'the URL /mcp/readonly');
    assert.equal(select('/mcp', { 'x-mcp-readonly': 'TRUE' }).readOnly, true);
    assert.equal(select('/mcp', { 'x-mcp-readonly': 'false' }).readOnly, false);
  });

  test('refusals name what was wrong: unknown toolsets and read-only values (400), other paths (404)', () => {
    const refused = (path: string, headers: Record<string, string>, status: number, message: RegExp) =>
      assert.throws(
        () => select(path, headers),
        (error: unknown) =>
          error instanceof SelectionError && error.status === status && message.test(error.message),
      );
    refused('/mcp/x/clusters', {}, 400, /toolsets: unknown toolset "clusters"; expected/);
    refused('/mcp', { 'x-mcp-toolsets': 'all,nope' }, 400, /unknown toolset "nope"/);
    refused('/mcp', { 'x-mcp-readonly': 'yes' }, 400, /X-MCP-Readonly: expected true or false, got "yes"/);
    refused('/mcp/anything', {}, 404, /no MCP endpoint at \/mcp\/anything/);
    refused('/mcp/x/cluster/extra', {}, 404, /no MCP endpoint/);
  });
});

describe('client facts in the session id', () => {
  test('form elicitation is remembered from initialize; anything else means the client cannot be asked', () => {
    assert.equal(canElicitForm({ elicitation: {} }), true);
    assert.equal(canElicitForm({ elicitation: { form: {} } }), true);
    assert.equal(canElicitForm({ elicitation: { url: {} } }), false);
    assert.equal(canElicitForm({ sampling: {} }), false);
    assert.deepEqual(clientFacts(sessionIdFor({ elicitation: { form: {} } })), { elicitation: true });
    assert.deepEqual(clientFacts(sessionIdFor({})), { elicitation: false });
    assert.notEqual(sessionIdFor({}), sessionIdFor({}));
    for (const other of [undefined, 'abc', 'cnpg1.!!!', ['cnpg1.x']])
      assert.deepEqual(clientFacts(other), { elicitation: false });
  });
});

describe('hiddenReason', () => {
  const person = (sub: string, groups: string[], scopes = ['mcp:read', 'mcp:write']) =>
    identityFromClaims({ iss: 'https://issuer/', sub, groups }, scopes, 'groups');
  const all: ToolSelection = { toolsets: TOOLSET_NAMES, readOnly: false, toolsetsBy: 'test', readOnlyBy: '' };
  const policy = parsePolicy(
    {
      admins: { groups: ['ops'] },
      toolsets: { everyone: ['cluster', 'observability'], groups: { dba: ['roles', 'credentials'] } },
      credentialReveal: 'owners',
    },
    't',
  );
  const caller = (identity: ReturnType<typeof person>, writes = true) => ({
    identity,
    access: accessFor(policy, identity, ['*'], writes, 'mcp:write'),
  });
  const hidden = (name: string, who: ReturnType<typeof caller>, selection = all) => {
    const why = hiddenReason(implementations.get(name)!, who, selection, policy);
    return why && (why.rule ? `(rule ${why.rule}) ${why.reason}` : why.reason);
  };

  test('the policy grants toolsets to everyone and by group; admins get all; whoami is always offered', () => {
    const dev = caller(person('dev', ['dev']));
    const dba = caller(person('dba', ['dba']));
    const admin = caller(person('ops', ['ops']));
    assert.deepEqual(dev.access.toolsets, ['cluster', 'observability']);
    assert.deepEqual(dba.access.toolsets, ['cluster', 'observability', 'credentials', 'roles']);
    assert.deepEqual(admin.access.toolsets, TOOLSET_NAMES);
    assert.equal(
      hidden('role_create', dev),
      '(rule toolsets) the policy does not let you use the roles tools',
    );
    assert.equal(hidden('role_create', dba), undefined);
    assert.equal(hidden('backup_create', admin), undefined);
    assert.equal(hidden('whoami', dev, { ...all, toolsets: [], readOnly: true }), undefined);
  });

  test('the connection’s selection and read-only mode; no write scope hides writes and credential_reveal', () => {
    const dba = caller(person('dba', ['dba']));
    assert.match(
      hidden('cluster_list', dba, { ...all, toolsets: ['roles'], toolsetsBy: 'the X-MCP-Toolsets header' }) ??
        '',
      /^the cluster toolset is not selected on this connection \(the X-MCP-Toolsets header: roles\)$/,
    );
    const readOnly = { ...all, readOnly: true, readOnlyBy: 'the URL /mcp/readonly' };
    assert.equal(
      hidden('cluster_delete', dba, readOnly),
      'this connection is read-only (the URL /mcp/readonly)',
    );
    assert.equal(hidden('cluster_logs', dba, readOnly), undefined);
    assert.equal(
      hidden(credentialReveal.name, dba, readOnly),
      'this connection is read-only (the URL /mcp/readonly)',
    );
    const reader = caller(person('dba', ['dba'], ['mcp:read']), false);
    assert.equal(
      hidden('cluster_delete', reader),
      '(rule read_only) writes are refused: the token lacks the mcp:write scope',
    );
    assert.match(
      hidden(credentialReveal.name, reader) ?? '',
      /^\(rule read_only\) revealing credentials is refused/,
    );
    assert.equal(hidden('role_list', reader), undefined);
  });

  test('policy toolsets are validated with the names expected, and emails only with allowVerifiedEmail', () => {
    assert.throws(
      () => parsePolicy({ toolsets: { everyone: ['clusters'] } }, 'p.json'),
      /toolsets\.everyone\.0: "clusters" is not a toolset: expected cluster, observability/,
    );
    assert.throws(
      () => parsePolicy({ toolsets: { emails: { 'ada@example.com': ['roles'] } } }, 'p.json'),
      /toolsets\.emails: emails name people only/,
    );
  });
});
