import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderToolsMarkdown } from '../../src/index.js';

test('docs/tools.md is the rendering of the current catalogue (run `npm run docs:tools -w packages/catalog`)', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const onDisk = readFileSync(`${root}docs/tools.md`, 'utf8');
  // The file is the rendering as the workspace's formatter (Biome) lays out Markdown tables.
  const formatted = execFileSync(
    `${root}node_modules/.bin/biome`,
    ['format', '--stdin-file-path=docs/tools.md'],
    {
      cwd: root,
      input: renderToolsMarkdown(),
      encoding: 'utf8',
    },
  );
  assert.equal(onDisk, formatted);
});
