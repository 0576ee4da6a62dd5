// bench/fuzz: the long fuzz run of the notebook reader and the batch-file parser (the short one is
// test/fuzz.test.ts). Mutants of the same seeds (packages/core/test/fixtures/notebooks,
// test/fixtures/hostile/seeds, test/fixtures/batch/mixed.*) through readNotebook, readNotebook then
// convertNotebook (slower: python3 checks each cell), and parseBatchFile. Each case must parse or throw
// kagg's KaggError; anything else is printed with its seed and case number, and the run exits 1.
// FUZZ_CASES (default 100000) is split: all of it to the reader, a quarter to each batch format, 1% to
// conversion; FUZZ_SEED (default 14). Prints a table; `--json` prints JSON. Never a test.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBatchFile } from '@kagg/core/batch';
import { isKaggError } from '@kagg/core/errors';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { fuzz } from '@kagg/testkit/fuzz';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 14);
const files = (dir, test) =>
  readdirSync(path.join(root, dir))
    .filter(test)
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(root, dir, name), 'utf8') }));

const notebooks = [
  ...files('packages/core/test/fixtures/notebooks', (n) => n.endsWith('.ipynb')),
  ...files('test/fixtures/hostile/seeds', (n) => n.endsWith('.ipynb')),
].map((f) => f.text);
const runs = [
  { target: 'readNotebook', seeds: notebooks, cases: CASES, parse: (t) => readNotebook(t, 'fuzz.ipynb') },
  {
    target: 'readNotebook + convertNotebook',
    seeds: notebooks.filter((t) => /process_request|"parameters"/.test(t)),
    cases: Math.ceil(CASES / 100),
    parse: (t) => convertNotebook(readNotebook(t, 'fuzz.ipynb')),
  },
  ...files('test/fixtures/batch', (n) => n.startsWith('mixed.')).map(({ name, text }) => ({
    target: `parseBatchFile ${name}`,
    seeds: [text],
    cases: Math.ceil(CASES / 4),
    parse: (t) => parseBatchFile(name, t),
  })),
];

const rows = [];
let failed = 0;
for (const run of runs) {
  const started = process.hrtime.bigint();
  const result = await fuzz({
    seeds: run.seeds,
    cases: run.cases,
    seed: SEED,
    parse: run.parse,
    isExpected: isKaggError,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rows.push({
    target: run.target,
    seeds: run.seeds.length,
    cases: result.cases,
    accepted: result.accepted,
    refused: result.refused,
    failures: result.failures.length,
    seconds: Math.round(seconds * 10) / 10,
  });
  for (const f of result.failures.slice(0, 5)) {
    failed++;
    process.stderr.write(`${run.target}: seed ${f.seed} case ${f.index}: ${f.error?.stack ?? f.error}\n`);
  }
}

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ seed: SEED, rows }, null, 2)}\n`);
} else {
  process.stdout.write(`seed ${SEED}, node ${process.version}\n`);
  process.stdout.write(
    '| target | seeds | cases | parsed | refused (KaggError) | other exceptions | seconds |\n|---|---:|---:|---:|---:|---:|---:|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.target} | ${r.seeds} | ${r.cases} | ${r.accepted} | ${r.refused} | ${r.failures} | ${r.seconds} |\n`,
    );
}
process.exit(failed > 0 ? 1 : 0);
