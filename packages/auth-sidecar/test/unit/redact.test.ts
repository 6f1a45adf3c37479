import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, redactHeaders, redactText } from '../../src/index.js';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

test('credentials are removed from log lines, whatever their shape', () => {
  const line = redactText(
    `Authorization: Bearer abc.def-123 token ${jwt} {"refresh_token":"rt-secret","access_token":"at-secret"} ` +
      'http://127.0.0.1:8888/callback?code=auth-code&state=s1 code_verifier=verifier-secret',
  );
  for (const secret of ['abc.def-123', jwt, 'rt-secret', 'at-secret', 'auth-code', 'verifier-secret']) {
    assert.ok(!line.includes(secret), `${secret} leaked: ${line}`);
  }
  assert.match(line, /Bearer \[redacted\]/);
  assert.match(line, /state=s1/, 'non-secret values stay readable');
});

test('secret headers are redacted, others kept', () => {
  assert.deepEqual(
    redactHeaders({
      Authorization: 'Bearer x',
      cookie: 'a=b',
      'x-cnpg-mcp-secret': 's',
      accept: 'text/event-stream',
    }),
    {
      Authorization: '[redacted]',
      cookie: '[redacted]',
      'x-cnpg-mcp-secret': '[redacted]',
      accept: 'text/event-stream',
    },
  );
});

test('the logger writes one timestamped, redacted line', () => {
  const written: string[] = [];
  createLogger((line) => written.push(line))(`refresh with Bearer ${jwt}`);
  assert.equal(written.length, 1);
  assert.match(written[0] ?? '', /^\d{4}-\d\d-\d\dT.* cnpg-mcp-auth: refresh with Bearer \[redacted\]\n$/);
});
