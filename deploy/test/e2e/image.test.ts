/**
 * No container engine runs here, so this checks what it can of deploy/Dockerfile: every file it
 * copies from the build context exists and passes Dockerfile.dockerignore, the runtime stage runs
 * as the non-root user the Deployment expects, and its entry point, started with the rendered
 * ConfigMap as environment, answers /healthz and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { configFor, only, renderOverlay, repoRoot } from '../support/render.js';

interface Instruction {
  stage: string;
  keyword: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = '';
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    instructions.push({ stage, keyword: keyword.toUpperCase(), args });
  }
  return instructions;
}

/** .dockerignore semantics: patterns match a path or any parent; the last matching pattern wins. */
function excludedByIgnoreFile(path: string, patterns: string[]): boolean {
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const re = toRegExp((negated ? pattern.slice(1) : pattern).replace(/\/$/, ''));
    if (negated ? re.test(path) || candidates.some((c) => re.test(c)) : candidates.some((c) => re.test(c))) {
      excluded = !negated;
    }
  }
  return excluded;
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'deploy/Dockerfile'), 'utf8'));
const ignorePatterns = readFileSync(join(repoRoot, 'deploy/Dockerfile.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

test('every COPY from the build context exists and is not excluded by Dockerfile.dockerignore', () => {
  const copies = dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'));
  assert.ok(copies.length >= 5, 'copies.length >= 5');
  for (const copy of copies) {
    const paths = copy.args.split(/\s+/).filter((a) => !a.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      assert.ok(existsSync(join(repoRoot, source)), `${source} exists`);
      assert.ok(!excludedByIgnoreFile(source, ignorePatterns), `${source} is in the build context`);
    }
  }
  // Every workspace's package.json is copied, or npm ci does not match the lock file.
  const workspaces = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }
  ).workspaces;
  for (const ws of workspaces) {
    assert.ok(
      copies.some((c) => c.args.startsWith(`${ws}/package.json `)),
      `${ws}/package.json is copied`,
    );
  }
  // What the image does not need stays out of the context.
  for (const outside of [
    'node_modules/undici/package.json',
    'packages/remote-api/dist/main.js',
    'packages/devstack/src/index.ts',
    '.git/HEAD',
    'packages/remote-api/test/support/support.ts',
  ]) {
    assert.ok(excludedByIgnoreFile(outside, ignorePatterns), `${outside} is excluded`);
  }
});

test('the runtime stage copies only built output and production dependencies, as the Deployment user', () => {
  const runtime = dockerfile.filter((i) => i.stage === 'runtime');
  const copies = runtime.filter((i) => i.keyword === 'COPY');
  assert.ok(
    copies.length > 0 && copies.every((c) => c.args.startsWith('--from=build ')),
    "copies.length > 0 && copies.every((c) => c.args.startsWith('--from=build '))",
  );
  assert.ok(
    !copies.some((c) => /\/src\/packages\/[^ ]+\/src\b/.test(c.args)),
    'no TypeScript sources in the image',
  );
  const build = dockerfile.filter((i) => i.stage === 'build' && i.keyword === 'RUN').map((i) => i.args);
  assert.ok(
    build.some((args) => args.includes('--omit=dev') && args.includes('--workspace @cnpg-mcp/remote-api')),
    "build.some((args) => args.includes('--omit=dev') && args.includes('--workspace @cnpg-mc…",
  );
  const user = runtime.find((i) => i.keyword === 'USER')?.args;
  const deployment = only<V1Deployment>(renderOverlay('namespaced'), 'Deployment');
  const context = deployment.spec?.template.spec?.securityContext;
  assert.equal(user, `${context?.runAsUser}:${context?.runAsGroup}`);
});

test('the entry point starts with the rendered configuration, answers /healthz, and stops on SIGTERM', async () => {
  const entrypoint = JSON.parse(
    dockerfile.find((i) => i.stage === 'runtime' && i.keyword === 'ENTRYPOINT')!.args,
  ) as string[];
  assert.equal(entrypoint[0], '/nodejs/bin/node', "the distroless image's node");
  const script = entrypoint[1]!;
  assert.equal(script, 'packages/remote-api/dist/main.js');
  assert.equal(
    (
      JSON.parse(readFileSync(join(repoRoot, 'packages/remote-api/package.json'), 'utf8')) as {
        bin: Record<string, string>;
      }
    ).bin['cnpg-mcp-remote'],
    './dist/main.js',
  );
  // The same compile step the build stage runs.
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'packages/remote-api'],
    { cwd: repoRoot, timeout: 120_000 },
  );

  const dir = mkdtempSync(join(tmpdir(), 'cnpg-image-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'none', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'none', user: { token: 'unused' } }],
      contexts: [{ name: 'none', context: { cluster: 'none', user: 'none' } }],
      'current-context': 'none',
    }),
  );
  // The pod's environment: the ConfigMap, then the container's own variables (NODE_OPTIONS…).
  const objects = renderOverlay('namespaced');
  const containerEnv = Object.fromEntries(
    (only<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0]?.env ?? []).map((e) => [
      e.name,
      e.value ?? '',
    ]),
  );
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: {
      ...configFor(objects),
      ...containerEnv,
      // Where this machine differs from the pod: the policy's path, a local port, no cluster, and
      // no network (an issuer that refuses at once instead of a DNS lookup that may hang).
      OIDC_ISSUER: 'http://127.0.0.1:9/',
      POLICY_FILE: join(repoRoot, 'deploy/kustomize/base/policy.json'),
      HOST: '127.0.0.1',
      PORT: '0',
      KUBECONFIG: kubeconfig,
      PATH: process.env.PATH ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"msg":"remote API listening","url":"([^"]+)"/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`no "listening" line within 15 s: ${output}`)), 15_000).unref();
  });
  try {
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    // Not ready: no Kubernetes API here, so the readiness probe keeps the pod out of the Service.
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
  } finally {
    const exited = new Promise<number | null | 'timeout'>((resolve) => {
      child.once('exit', (code) => resolve(code));
      setTimeout(() => resolve('timeout'), 30_000).unref();
    });
    child.kill('SIGTERM');
    const code = await exited;
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 0, `exit after SIGTERM: ${output}`);
  }
  assert.match(output, /received SIGTERM/);
});
