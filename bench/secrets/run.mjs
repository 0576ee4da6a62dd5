// bench/secrets: recall and false-positive rate of kagg's secret rules on an external corpus, the
// true- and false-positive test strings of gitleaks' own rules (one notebook cell per string).
// Two rule sets run through kagg's engine: kagg's default rules, and the gitleaks TOML of the same
// checkout (`--rules`). Needs a gitleaks checkout, never committed and never needed by tests:
//   node bench/secrets/run.mjs /path/to/gitleaks        (or GITLEAKS_DIR=/path/to/gitleaks)
// Flags: --json (machine-readable), --rules (print every rule, not only those below target).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './gitleaks-corpus.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { scanNotebook, DEFAULT_RULES, loadGitleaksToml } = await import(
  path.join(root, 'plugins/preprocess/dist/index.js')
);

const checkout = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? process.env.GITLEAKS_DIR;
if (!checkout || !existsSync(path.join(checkout, 'cmd/generate/config/rules'))) {
  console.error('usage: node bench/secrets/run.mjs <gitleaks checkout> (or GITLEAKS_DIR); no rules found there');
  process.exit(2);
}
const asJson = process.argv.includes('--json');
const everyRule = process.argv.includes('--rules');

const corpus = buildCorpus(checkout);
const toml = loadGitleaksToml(readFileSync(path.join(checkout, 'config/gitleaks.toml'), 'utf8'), 'gitleaks.toml');

const notebookOf = (text) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ cell_type: 'code', id: 'c', metadata: {}, execution_count: null, outputs: [], source: text }],
});

function measure(rules) {
  const generic = new Set(rules.filter((rule) => rule.generic).map((rule) => rule.id));
  const perRule = [];
  const total = { tp: 0, found: 0, named: 0, fp: 0, flagged: 0 };
  for (const entry of corpus.rules) {
    const row = { id: entry.id, tp: entry.tps.length, found: 0, named: 0, fp: entry.fps.length, flagged: 0 };
    for (const text of entry.tps) {
      const findings = scanNotebook(notebookOf(text), { rules });
      if (findings.length > 0) row.found++;
      if (findings.some((finding) => !generic.has(finding.rule))) row.named++;
    }
    for (const text of entry.fps) if (scanNotebook(notebookOf(text), { rules }).length > 0) row.flagged++;
    for (const key of Object.keys(total)) total[key] += row[key];
    perRule.push(row);
  }
  return { perRule, total };
}

const pct = (n, d) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
const started = performance.now();
const kagg = measure(DEFAULT_RULES);
const gitleaks = measure(toml.rules);
const seconds = ((performance.now() - started) / 1000).toFixed(1);

if (asJson) {
  console.log(
    JSON.stringify({ corpus: { rules: corpus.rules.length, skipped: corpus.skipped }, kagg, gitleaks }, null, 1),
  );
} else {
  const { total: k } = kagg;
  const { total: g } = gitleaks;
  console.log(
    `corpus: ${corpus.rules.length} gitleaks rules, ${k.tp} true positives, ${k.fp} false positives ` +
      `(${corpus.skipped} Go statements skipped); ${seconds} s; Node ${process.version}\n`,
  );
  console.log('| rule set | rules | recall | found by a provider rule | false positives flagged |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(
    `| kagg defaults | ${DEFAULT_RULES.length} | ${pct(k.found, k.tp)} | ${pct(k.named, k.tp)} | ${pct(k.flagged, k.fp)} (${k.flagged}/${k.fp}) |`,
  );
  console.log(
    `| gitleaks.toml via --rules | ${toml.rules.length} (${toml.unsupported.length} unsupported) | ${pct(g.found, g.tp)} | ${pct(g.named, g.tp)} | ${pct(g.flagged, g.fp)} (${g.flagged}/${g.fp}) |`,
  );
  const rows = kagg.perRule.map((row, k2) => ({ row, other: gitleaks.perRule[k2] }));
  const shown = everyRule ? rows : rows.filter(({ row }) => row.found < row.tp || row.flagged > 0);
  const zero = rows.filter(({ row }) => row.tp > 0 && row.found === 0).map(({ row }) => row.id);
  console.log(`\nproviders at zero recall with kagg's defaults: ${zero.length === 0 ? 'none' : zero.join(', ')}`);
  console.log(`\n${everyRule ? 'every rule' : 'rules below 100% recall or with a false positive flagged'}:\n`);
  console.log('| gitleaks rule | kagg recall | kagg FP | gitleaks.toml recall | gitleaks.toml FP |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { row, other } of shown)
    console.log(
      `| ${row.id} | ${row.found}/${row.tp} | ${row.flagged}/${row.fp} | ${other.found}/${other.tp} | ${other.flagged}/${other.fp} |`,
    );
}
