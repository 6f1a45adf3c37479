import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { actionCode } from '../../action.js';

const AUDIENCE = 'https://cnpg-mcp.example.com/api';

type Handler = (event: unknown, api: unknown) => Promise<void>;

/** Runs the Action's code as Auth0 would (a module with exports.onExecutePostLogin) and returns the claims it set. */
async function claimsFor(
  user: Record<string, unknown>,
  audience = AUDIENCE,
): Promise<Record<string, unknown>> {
  const sandbox = { exports: {} as { onExecutePostLogin?: Handler } };
  runInNewContext(actionCode(AUDIENCE), sandbox);
  const claims: Record<string, unknown> = {};
  const api = { accessToken: { setCustomClaim: (name: string, value: unknown) => (claims[name] = value) } };
  await sandbox.exports.onExecutePostLogin?.({ resource_server: { identifier: audience }, user }, api);
  return claims;
}

test('the Action passes email_verified with the email, as a boolean', async () => {
  assert.deepEqual(await claimsFor({ email: 'a@example.com', email_verified: true, name: 'A' }), {
    email: 'a@example.com',
    email_verified: true,
    name: 'A',
  });
  assert.deepEqual(await claimsFor({ email: 'm@example.com', email_verified: false }), {
    email: 'm@example.com',
    email_verified: false,
  });
  assert.deepEqual(await claimsFor({ email: 'x@example.com' }), {
    email: 'x@example.com',
    email_verified: false,
  });
  assert.deepEqual(await claimsFor({ name: 'No Mail' }), { name: 'No Mail' });
});

test('the Action leaves tokens for other APIs alone', async () => {
  assert.deepEqual(
    await claimsFor({ email: 'a@example.com', email_verified: true }, 'https://other/api'),
    {},
  );
});
