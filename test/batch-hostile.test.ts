/**
 * Batch files built to hurt the parser, each found by the fuzz run (test/fuzz.test.ts): a JSON item
 * nested deeper than JSON.stringify recurses, and a CSV field holding thousands of quotes (reading it
 * was quadratic: 500 KB took 37 s, the 2 MB one here would outlast the test timeout).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBatchFile } from '@kagg/core/batch';

describe('hostile batch files', () => {
  it('reports a JSON item nested 20,000 levels deep as an invalid item, keeping the valid ones', async () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const parsed = await parseBatchFile('deep.json', `["alice/kernel-1", ${deep}]`);
    assert.deepEqual(
      parsed.items.map((item) => item.spec.input),
      ['alice/kernel-1'],
    );
    assert.equal(parsed.invalid.length, 1);
    assert.match(parsed.invalid[0]!.reason, /an item must be an object or an input string/);
    assert.match(parsed.invalid[0]!.text, /nested too deeply/);
  });

  it('reads a 2 MB CSV field holding a million quotes (literal, as it does not start with one)', async () => {
    const field = 'x"'.repeat(1_000_000);
    const parsed = await parseBatchFile('quotes.csv', `input,name\nalice/kernel-1,one\n${field},two\n`);
    assert.deepEqual(
      parsed.items.map((item) => [item.line, item.spec.name, item.spec.input.length]),
      [
        [2, 'one', 'alice/kernel-1'.length],
        [3, 'two', field.length],
      ],
    );
    assert.deepEqual(parsed.invalid, []);
  });
});
