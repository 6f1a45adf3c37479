import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity, resourcesField, storageSizeField } from '../../src/index.js';

test('parseQuantity follows the Kubernetes quantity grammar', () => {
  const table: [string, number | undefined][] = [
    ['1k', 1e3],
    ['1K', undefined], // Kubernetes' decimal kilo is a lower-case k
    ['1Ki', 1024],
    ['500m', 0.5],
    ['1e3', 1e3],
    ['1E3', 1e3],
    ['1e-3', 1e-3],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['10Gi', 10 * 2 ** 30],
    ['100M', 1e8],
    ['1E', 1e18],
    ['2Ei', 2 * 2 ** 60],
    ['100n', 1e-7],
    ['3u', 3e-6],
    ['1073741824', 2 ** 30],
    ['.5', 0.5],
    ['1.', 1],
    ['+1k', 1e3],
    ['-1Mi', -(2 ** 20)],
    ['', undefined],
    ['1e', undefined],
    ['1KB', undefined],
    ['1kb', undefined],
    ['1gi', undefined],
    ['0x10', undefined],
    [' 1Gi', undefined],
    ['1Gi ', undefined],
    ['1.5.5', undefined],
    ['Gi', undefined],
    ['1 Gi', undefined],
  ];
  for (const [text, value] of table) assert.equal(parseQuantity(text), value, JSON.stringify(text));
});

test('the tool fields accept only quantities the parser reads, with a lower-case k', () => {
  const memory = (value: string) => resourcesField.safeParse({ requests: { memory: value } }).success;
  assert.ok(
    memory('1k') && memory('512Mi') && memory('2G'),
    "memory('1k') && memory('512Mi') && memory('2G')",
  );
  assert.ok(!memory('1K'), "!memory('1K')");
  for (const value of ['1k', '1Ki', '512Mi', '2G', '3T', '1500'])
    assert.notEqual(parseQuantity(value), undefined, value);
  for (const value of ['10Gi', '500M', '1Ti']) {
    assert.ok(storageSizeField.safeParse(value).success, value);
    assert.notEqual(parseQuantity(value), undefined, value);
  }
  assert.ok(!storageSizeField.safeParse('1K').success, "!storageSizeField.safeParse('1K').success");
});
