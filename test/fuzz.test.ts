/**
 * Fuzz: mutants of real notebooks and batch files (byte edits, truncations, invalid UTF-8, deep
 * nesting, values of the wrong type) through the notebook reader (read, then convert for deployment)
 * and the batch-file parser. Each mutant either parses or is refused with kagg's own KaggError; any
 * other exception is a bug. A fixed seed keeps the run deterministic; bench/fuzz/run.mjs runs 100k.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseBatchFile } from '@kagg/core/batch';
import { isKaggError } from '@kagg/core/errors';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { type FuzzResult, fuzz } from '@kagg/testkit/fuzz';
import { FIXTURES, ROOT } from './helpers.ts';

const read = (dir: string, ext: RegExp): string[] =>
  readdirSync(dir)
    .filter((name) => ext.test(name))
    .sort()
    .map((name) => readFileSync(path.join(dir, name), 'utf8'));

const NOTEBOOK_SEEDS = [
  ...read(FIXTURES, /\.ipynb$/),
  ...read(path.join(ROOT, 'test/fixtures/hostile/seeds'), /\.ipynb$/),
];
const BATCH_DIR = path.join(ROOT, 'test/fixtures/batch');
const BATCH_SEEDS = readdirSync(BATCH_DIR)
  .filter((name) => name.startsWith('mixed.'))
  .sort()
  .map((name) => ({ name, text: readFileSync(path.join(BATCH_DIR, name), 'utf8') }));

function explain(result: FuzzResult): string {
  return result.failures
    .slice(0, 3)
    .map(
      (f) =>
        `seed ${f.seed} case ${f.index}: ${String((f.error as Error)?.stack ?? f.error)}\ninput: ${JSON.stringify(f.input.slice(0, 300))}`,
    )
    .join('\n\n');
}

describe('fuzz', () => {
  it('the notebook reader parses or refuses 400 mutants with a KaggError, never another exception', async () => {
    const result = await fuzz({
      seeds: NOTEBOOK_SEEDS,
      cases: 400,
      seed: 14,
      parse: (text) => readNotebook(text, 'fuzz.ipynb'),
      isExpected: isKaggError,
    });
    assert.equal(result.failures.length, 0, explain(result));
    assert.equal(result.cases, 400);
    assert.ok(result.refused > 0 && result.accepted > 0, `both outcomes are exercised: ${JSON.stringify(result)}`);
  });

  it('converting what the reader accepts (for deploy) never throws anything but a KaggError', async () => {
    // conversion checks each cell's syntax with python3 (~0.1 s a case): fewer cases here, more in bench/
    const result = await fuzz({
      seeds: NOTEBOOK_SEEDS.filter((text) => /process_request|"parameters"/.test(text)),
      cases: 24,
      seed: 14,
      parse: (text) => convertNotebook(readNotebook(text, 'fuzz.ipynb')),
      isExpected: isKaggError,
    });
    assert.equal(result.failures.length, 0, explain(result));
    assert.ok(result.accepted > 0, `some mutants still convert: ${JSON.stringify({ ...result, failures: [] })}`);
  });

  for (const { name, text } of BATCH_SEEDS) {
    it(`the batch-file parser parses or refuses 100 mutants of ${name} with a KaggError`, async () => {
      const result = await fuzz({
        seeds: [text],
        cases: 100,
        seed: 14,
        parse: async (mutant) => {
          const parsed = await parseBatchFile(name, mutant);
          // what the runner then reads of every item must be there
          for (const item of parsed.items) assert.equal(typeof item.spec.input, 'string');
        },
        isExpected: isKaggError,
      });
      assert.equal(result.failures.length, 0, explain(result));
      assert.ok(result.accepted > 0, 'some mutants still parse');
    });
  }
});
