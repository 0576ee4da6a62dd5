// bench/preprocess: throughput of @kagg/plugin-preprocess over a generated corpus of notebooks
// (default 600), against two references measured in the same run on the same corpus:
//   - `jupyter nbconvert --clear-output` (skipped, and said so, when jupyter-nbconvert is absent);
//   - the floor any notebook rewriter pays: read, JSON.parse, JSON.stringify and write every file.
// kagg's clean + strip + scan does the same reading and writing. The requirements analysis is
// measured on its own. Prints a markdown table (or JSON with --json). Never a test assertion.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { preprocess, analyzeRequirements } = await import(path.join(root, 'plugins/preprocess/dist/index.js'));

const COUNT = Number(process.env.BENCH_NOTEBOOKS ?? 600);
const asJson = process.argv.includes('--json');

// --- a deterministic corpus -------------------------------------------------------------------
let seed = 12345;
const rnd = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
};
const pick = (list) => list[rnd() % list.length];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const randText = (chars, n) => {
  let out = '';
  for (let i = 0; i < n; i++) out += chars[rnd() % chars.length];
  return out;
};
const IMPORTS = [
  'import numpy as np',
  'import pandas as pd',
  'import matplotlib.pyplot as plt',
  'import seaborn as sns',
  'from sklearn.model_selection import train_test_split',
  'from sklearn.metrics import roc_auc_score',
  'import lightgbm as lgb',
  'import xgboost as xgb',
  'import torch\nimport torch.nn as nn',
  'from transformers import AutoTokenizer, AutoModel',
  'import cv2',
  'from PIL import Image',
  'import os, sys, json, re',
  'try:\n    import ujson as json\nexcept ImportError:\n    import json',
  'from kaggle_secrets import UserSecretsClient',
];
const CODE = [
  "df = pd.read_csv('/kaggle/input/titanic/train.csv')\ndf.head()",
  'X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.2, random_state=42)',
  'model = lgb.LGBMClassifier(n_estimators=500, learning_rate=0.05)\nmodel.fit(X_train, y_train)',
  'for col in df.columns:\n    df[col] = df[col].fillna(df[col].median())',
  '%matplotlib inline\nplt.figure(figsize=(10, 6))\nsns.histplot(df["Age"])\nplt.show()',
  '!pip install -q catboost==1.2.5',
  "user_secrets = UserSecretsClient()\napi_key = user_secrets.get_secret('OPENAI_API_KEY')",
  'def fit_fold(k):\n    import optuna\n    return k * 2',
  '%%time\npreds = model.predict_proba(X_valid)[:, 1]\nprint(roc_auc_score(y_valid, preds))',
];
const htmlTable = (rows) =>
  `<div><table border="1" class="dataframe"><thead><tr><th></th><th>PassengerId</th><th>Survived</th><th>Age</th></tr></thead><tbody>${Array.from(
    { length: rows },
    (_, r) => `<tr><th>${r}</th><td>${r + 1}</td><td>${r % 2}</td><td>${20 + (r % 50)}.0</td></tr>`,
  ).join('')}</tbody></table></div>`;

function makeNotebook(k) {
  const cells = [];
  const n = 8 + (rnd() % 30);
  cells.push({
    cell_type: 'markdown',
    id: `m${k}`,
    metadata: {},
    source: `# Notebook ${k}\nExploration and a baseline model.`,
  });
  cells.push({
    cell_type: 'code',
    id: `i${k}`,
    metadata: {},
    execution_count: 1,
    outputs: [],
    source: Array.from({ length: 4 }, () => pick(IMPORTS)).join('\n'),
  });
  for (let c = 0; c < n; c++) {
    const outputs = [];
    const roll = rnd() % 10;
    if (roll < 4)
      outputs.push({
        output_type: 'stream',
        name: 'stdout',
        text: Array.from(
          { length: 1 + (rnd() % 40) },
          (_, e) => `Epoch ${e}: loss=${(rnd() % 1000) / 1000} val_auc=${(rnd() % 1000) / 1000}\n`,
        ),
      });
    else if (roll < 6)
      outputs.push({
        output_type: 'execute_result',
        execution_count: c + 2,
        metadata: {},
        data: {
          'text/html': htmlTable(5 + (rnd() % 40)),
          'text/plain': ['   PassengerId  Survived   Age\n', '0            1         0  22.0'],
        },
      });
    else if (roll < 8)
      outputs.push({
        output_type: 'display_data',
        metadata: {},
        data: {
          'image/png': `iVBORw0KGgo${randText(B64, 20_000 + (rnd() % 120_000))}=`,
          'text/plain': ['<Figure size 1000x600 with 1 Axes>'],
        },
      });
    cells.push({
      cell_type: 'code',
      id: `c${k}-${c}`,
      metadata: { papermill: { duration: 1.5, status: 'completed' }, ExecuteTime: { end_time: '2024-01-01' } },
      execution_count: c + 2,
      outputs,
      source: pick(CODE),
    });
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python', version: '3.10.13', mimetype: 'text/x-python' },
      kaggle: {
        accelerator: 'gpu',
        dataSources: [{ sourceId: 3136, sourceType: 'competition' }],
        isInternetEnabled: true,
      },
      papermill: { parameters: {}, duration: 120.5, environment_variables: {}, input_path: '__notebook__.ipynb' },
      widgets: { 'application/vnd.jupyter.widget-state+json': { state: {}, version_major: 2, version_minor: 0 } },
    },
    cells,
  };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-pre-'));
const corpus = path.join(work, 'corpus');
mkdirSync(corpus);
for (let k = 0; k < COUNT; k++)
  writeFileSync(
    path.join(corpus, `nb-${String(k).padStart(4, '0')}.ipynb`),
    `${JSON.stringify(makeNotebook(k), null, 1)}\n`,
  );
const files = readdirSync(corpus).sort();
const bytes = files.reduce((sum, f) => sum + statSync(path.join(corpus, f)).size, 0);
const MB = bytes / 1e6;

function timed(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}
async function timedAsync(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

// --- the floor: read, parse, serialise, write ---------------------------------------------------
const floorOut = path.join(work, 'floor');
mkdirSync(floorOut);
const floor = timed(() => {
  for (const f of files) {
    const doc = JSON.parse(readFileSync(path.join(corpus, f), 'utf8'));
    writeFileSync(path.join(floorOut, f), `${JSON.stringify(doc, null, 1)}\n`);
  }
});

// --- kagg: clean + strip + scan, same reading and writing ---------------------------------------
const kaggOut = path.join(work, 'kagg');
mkdirSync(kaggOut);
let findings = 0;
const kagg = await timedAsync(async () => {
  for (const f of files) {
    const result = await preprocess(readFileSync(path.join(corpus, f), 'utf8'), f, {
      clean: true,
      strip: true,
      scan: true,
    });
    findings += result.findings.length;
    writeFileSync(path.join(kaggOut, f), result.text);
  }
});

// --- requirements analysis, reported separately -------------------------------------------------
const docs = files.map((f) => JSON.parse(readFileSync(path.join(corpus, f), 'utf8')));
await analyzeRequirements(docs[0]); // load the parser outside the timing
const requirements = await timedAsync(async () => {
  for (const doc of docs) await analyzeRequirements(doc);
});
const codeBytes = docs.reduce(
  (sum, doc) =>
    sum + doc.cells.filter((c) => c.cell_type === 'code').reduce((s, c) => s + JSON.stringify(c.source).length, 0),
  0,
);

// --- nbconvert, when installed ------------------------------------------------------------------
let nbconvert;
const probe = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
if (probe.status === 0) {
  const nbDir = path.join(work, 'nbconvert');
  cpSync(corpus, nbDir, { recursive: true });
  const nbFiles = files.map((f) => path.join(nbDir, f));
  const run = timed(() =>
    spawnSync('jupyter', ['nbconvert', '--clear-output', ...nbFiles], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  );
  if (run.value.status !== 0) throw new Error(`nbconvert failed: ${run.value.stderr.slice(-2000)}`);
  nbconvert = { version: probe.stdout.trim(), seconds: run.seconds };
}

rmSync(work, { recursive: true, force: true });

const row = (name, seconds, size = MB) => ({
  name,
  seconds: Number(seconds.toFixed(3)),
  notebooksPerSecond: Number((files.length / seconds).toFixed(1)),
  mbPerSecond: Number((size / seconds).toFixed(1)),
});
const results = {
  notebooks: files.length,
  megabytes: Number(MB.toFixed(1)),
  node: process.version,
  references: nbconvert
    ? ['jupyter nbconvert --clear-output', 'JSON parse + serialise floor']
    : ['JSON parse + serialise floor'],
  rows: [
    row('kagg clean + strip + scan', kagg.seconds),
    row('floor: read + JSON.parse + JSON.stringify + write', floor.seconds),
    ...(nbconvert ? [row(`jupyter nbconvert --clear-output (${nbconvert.version})`, nbconvert.seconds)] : []),
    row('kagg requirements analysis (parsed notebooks)', requirements.seconds),
  ],
  kaggVsFloor: Number((kagg.seconds / floor.seconds).toFixed(2)),
  kaggVsNbconvert: nbconvert ? Number((nbconvert.seconds / kagg.seconds).toFixed(1)) : null,
  requirementsCodeMbPerSecond: Number((codeBytes / 1e6 / requirements.seconds).toFixed(2)),
  findings,
};

if (asJson) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  console.log(`corpus: ${results.notebooks} notebooks, ${results.megabytes} MB; Node ${results.node}`);
  console.log(
    `references run: ${results.references.join('; ')}${nbconvert ? '' : ' (jupyter nbconvert not installed: skipped)'}`,
  );
  console.log('\n| run | seconds | notebooks/s | MB/s |\n|---|---:|---:|---:|');
  for (const r of results.rows)
    console.log(`| ${r.name} | ${r.seconds} | ${r.notebooksPerSecond} | ${r.mbPerSecond} |`);
  console.log(
    `\nkagg is ${results.kaggVsFloor}x the floor's time${nbconvert ? `, ${results.kaggVsNbconvert}x faster than nbconvert` : ''}.`,
  );
  console.log(
    `requirements analysis: ${results.requirementsCodeMbPerSecond} MB/s of code-cell source. Findings in corpus: ${findings}.`,
  );
}
