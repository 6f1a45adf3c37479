import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, renderToolsMarkdown } from '../../src/index.js';

test('the rendering lists every tool and every parameter with its limits', () => {
  const markdown = renderToolsMarkdown();
  for (const tool of catalog) {
    assert.ok(markdown.includes(`\n## ${tool.name}\n`), tool.name);
    for (const parameter of Object.keys(tool.inputSchema.shape)) {
      assert.ok(markdown.includes(`| \`${parameter}\` |`), `${tool.name}.${parameter}`);
    }
  }
  assert.match(markdown, /\| `instances` \| integer \| {2}\| `1` \| 1–9 \|/);
});
