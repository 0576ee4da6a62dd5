/**
 * `kagg batch` reads text, CSV, JSON and JSON Lines files: in each, a file mixing valid and invalid
 * items reports every bad line with its number and reason, still downloads the valid ones from the
 * Kaggle fake, prints one line per item when piped, writes a report that matches its JSON Schema,
 * and exits 1. Usage errors exit 2; --dry-run and --fail-fast touch nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BatchReport, batchReportSchema, parseBatchFile } from '@kagg/core/batch';
import { compileSchema, describeErrors } from '@kagg/core/schema';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { batchEnv, fakeWithKernels, stateFiles } from './fixtures/batch/harness.ts';
import { kagg, ROOT, tempDir } from './helpers.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'batch');

const cases = [
  { file: 'mixed.txt', valid: ['alice/kernel-1', 'alice/kernel-2', 'alice/kernel-3'], invalidLines: [6, 8] },
  { file: 'mixed.csv', valid: ['alice/kernel-1', 'alice/kernel-2', 'alice/kernel-5'], invalidLines: [4, 5, 8] },
  { file: 'mixed.json', valid: ['alice/kernel-1', 'alice/kernel-2', 'alice/kernel-4'], invalidLines: [6, 7, 11] },
  { file: 'mixed.jsonl', valid: ['alice/kernel-1', 'alice/kernel-2', 'alice/kernel-5'], invalidLines: [3, 4, 6] },
];

async function validateReport(report: unknown): Promise<void> {
  const check = await compileSchema<BatchReport>(batchReportSchema);
  assert.ok(check(report), `the report matches its schema: ${describeErrors(check.errors).join('; ')}`);
}

describe('batch files in every format, with valid and invalid items', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-home-');
  const work = tempDir('kagg-batch-work-');
  before(async () => {
    fake = await fakeWithKernels(5);
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.file}: reports each bad line, downloads the rest, one stdout line per item, exit 1`, async () => {
      const out = path.join(work, c.file.replace('.', '-'));
      const reportFile = path.join(work, `${c.file}.report.json`);
      const result = await kagg(
        ['batch', path.join(FIXTURES, c.file), '--operation', 'download', '--path', out, '--report', reportFile],
        batchEnv(home, fake),
        { cwd: work },
      );
      assert.equal(result.code, 1, result.stderr);
      for (const line of c.invalidLines)
        assert.match(result.stderr, new RegExp(`line ${line}: `), `line ${line} reported`);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, c.valid.length + c.invalidLines.length, result.stdout);
      const okLines = lines.filter((l) => l.startsWith('ok\t'));
      assert.deepEqual(okLines.map((l) => l.split('\t')[1]?.replace(/^.*\/code\//, '')).sort(), [...c.valid].sort());
      assert.equal(lines.filter((l) => l.startsWith('invalid\t')).length, c.invalidLines.length);

      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BatchReport;
      await validateReport(report);
      assert.equal(report.status, 'finished');
      assert.deepEqual(
        report.items.filter((i) => i.status === 'invalid').map((i) => i.line),
        c.invalidLines,
      );
      assert.equal(report.counts.succeeded, c.valid.length);
      assert.equal(report.counts.invalid, c.invalidLines.length);
      assert.deepEqual(
        report.items.map((i) => i.item),
        report.items.map((_, k) => k + 1),
        'items are numbered in file order',
      );
      for (const item of report.items.filter((i) => i.status === 'succeeded')) {
        assert.equal(item.attempts, 1);
        const dir = item.result?.path as string;
        assert.ok(dir.startsWith(out), dir);
        assert.ok(existsSync(path.join(dir, 'kernel-metadata.json')), `${dir} has kernel-metadata.json`);
        assert.equal(
          JSON.parse(readFileSync(path.join(dir, 'kernel-metadata.json'), 'utf8')).id,
          item.input.replace(/^.*\/code\//, ''),
        );
      }
      for (const item of report.items.filter((i) => i.status === 'invalid')) {
        assert.match(item.error?.message ?? '', new RegExp(`^line ${item.line}: .+`));
      }
    });
  }

  it('reports the reason of each bad item', async () => {
    const csv = await parseBatchFile('x.csv', readFileSync(path.join(FIXTURES, 'mixed.csv'), 'utf8'));
    assert.deepEqual(
      csv.invalid.map((i) => [i.line, i.reason]),
      [
        [4, '/memory: must be integer'],
        [5, 'has 4 field(s), the header has 3'],
      ],
    );
    const json = await parseBatchFile('x.json', readFileSync(path.join(FIXTURES, 'mixed.json'), 'utf8'));
    assert.deepEqual(
      json.invalid.map((i) => [i.line, i.reason]),
      [
        [6, '(top level): unknown property "colour"'],
        [7, '/input: must be string'],
        [11, '/input: must NOT have fewer than 1 characters'],
      ],
    );
    const jsonl = await parseBatchFile('x.jsonl', readFileSync(path.join(FIXTURES, 'mixed.jsonl'), 'utf8'));
    assert.deepEqual(
      jsonl.invalid.map((i) => i.line),
      [3, 4, 6],
    );
    assert.match(jsonl.invalid[0]?.reason ?? '', /^not valid JSON/);
    assert.equal(jsonl.invalid[2]?.reason, 'an item must be an object or an input string');
  });

  it('detects the format from the content when the extension says nothing', async () => {
    const csv = await parseBatchFile('list', 'input,name\nalice/kernel-1,one\n');
    assert.equal(csv.format, 'csv');
    assert.deepEqual(csv.items[0]?.spec, { input: 'alice/kernel-1', name: 'one' });
    const jsonl = await parseBatchFile('list', '{"input":"a/b-c"}\n{"input":"d/e-f"}\n');
    assert.equal(jsonl.format, 'jsonl');
    assert.equal(jsonl.items.length, 2);
    const json = await parseBatchFile('list', '[\n "a/b-c",\n "d/e-f"\n]\n');
    assert.equal(json.format, 'json');
    assert.deepEqual(
      json.items.map((i) => i.line),
      [2, 3],
    );
    const text = await parseBatchFile('list', 'https://example.com/nb.ipynb#frag # comment\n');
    assert.equal(text.format, 'text');
    assert.equal(text.items[0]?.spec.input, 'https://example.com/nb.ipynb#frag');
  });

  it('--dry-run validates and prints the plan without a request or a state file', async () => {
    const dryHome = tempDir('kagg-batch-dry-');
    const before = fake.requests.length;
    const result = await kagg(
      [
        'batch',
        path.join(FIXTURES, 'mixed.txt'),
        '-o',
        'download',
        '--path',
        path.join(work, 'dry'),
        '--dry-run',
        '--json',
      ],
      batchEnv(dryHome, fake),
      { cwd: work },
    );
    assert.equal(result.code, 1, 'invalid lines make a dry run fail too');
    const report = JSON.parse(result.stdout) as BatchReport;
    await validateReport(report);
    assert.equal(report.status, 'dry-run');
    assert.deepEqual(
      report.items.map((i) => i.status),
      ['planned', 'planned', 'invalid', 'planned', 'invalid'],
    );
    assert.equal(fake.requests.length, before, 'no request reached Kaggle');
    assert.equal(stateFiles(dryHome).length, 0, 'no state file');
    assert.ok(!existsSync(path.join(work, 'dry')));
    rmSync(dryHome, { recursive: true, force: true });
  });

  it('--fail-fast refuses a file with invalid items before doing anything (exit 2)', async () => {
    const before = fake.requests.length;
    const result = await kagg(
      ['batch', path.join(FIXTURES, 'mixed.jsonl'), '-o', 'download', '--path', path.join(work, 'ff'), '--fail-fast'],
      batchEnv(home, fake),
      { cwd: work },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /line 3: not valid JSON/);
    assert.match(result.stderr, /3 invalid item\(s\); nothing was run/);
    assert.equal(fake.requests.length, before);
  });

  it('exits 2 on usage errors: no operation, an unknown one, a missing file, broken JSON', async () => {
    const env = batchEnv(home, fake);
    const file = path.join(FIXTURES, 'mixed.txt');
    const none = await kagg(['batch', file], env, { cwd: work });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--operation/);
    const unknown = await kagg(['batch', file, '-o', 'explode'], env, { cwd: work });
    assert.equal(unknown.code, 2);
    const missing = await kagg(['batch', path.join(work, 'nope.txt'), '-o', 'download'], env, { cwd: work });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the batch file/);
    const broken = path.join(work, 'broken.json');
    writeFileSync(broken, '[\n  "alice/kernel-1",\n  oops\n]\n');
    const bad = await kagg(['batch', broken, '-o', 'download', '--json'], env, { cwd: work });
    assert.equal(bad.code, 2);
    const error = JSON.parse(bad.stdout).error as { code: string; message: string };
    assert.equal(error.code, 'BATCH_FILE_INVALID');
    assert.match(error.message, /line 3 column/);
  });

  it('all items succeeding exits 0, and `batch list` / `batch show` show the batch', async () => {
    const listHome = tempDir('kagg-batch-list-');
    const file = path.join(work, 'good.txt');
    writeFileSync(file, 'alice/kernel-1\nalice/kernel-2\n');
    const env = batchEnv(listHome, fake);
    const run = await kagg(['batch', file, '-o', 'download', '--path', path.join(work, 'good'), '--json'], env, {
      cwd: work,
    });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as BatchReport;
    await validateReport(report);
    const list = await kagg(['batch', 'list', '--json'], env);
    assert.equal(list.code, 0);
    const { batches } = JSON.parse(list.stdout) as { batches: Array<{ id: string; status: string }> };
    assert.deepEqual(
      batches.map((b) => [b.id, b.status]),
      [[report.id, 'finished']],
    );
    const show = await kagg(['batch', 'show', report.id, '--json'], env);
    assert.equal(show.code, 0);
    const shown = JSON.parse(show.stdout) as BatchReport;
    await validateReport(shown);
    assert.deepEqual(shown.items, report.items);
    const plain = await kagg(['batch', 'show', report.id], env);
    assert.match(plain.stdout, /ITEM\s+LINE\s+STATUS/);
    const unknown = await kagg(['batch', 'show', '20200101-000000-abcd'], env);
    assert.equal(unknown.code, 2);
    rmSync(listHome, { recursive: true, force: true });
  });
});
