#!/usr/bin/env node
// Runs every packages/*/test/**/*.test.ts with node:test. Node 20 exits 0 when given no files,
// so an empty selection is an error here. Optional arguments filter files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const packagesDir = join(root, 'packages');
const files = readdirSync(packagesDir)
  .flatMap((pkg) => {
    const testDir = join(packagesDir, pkg, 'test');
    try {
      return findTests(testDir);
    } catch {
      return [];
    }
  })
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no test files found${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
