// bench/secrets/speed.mjs: CPU time of the secret scan alone (no file I/O, which on a shared machine
// swings more than the scan itself), over an in-memory corpus of Kaggle-like notebooks: code cells,
// text and HTML outputs, papermill and widget metadata. Compares two builds of the plugin:
//   node bench/secrets/speed.mjs [--dist plugins/preprocess/dist] [--against /other/build/dist]
// Each build scans the corpus ROUNDS times (default 7), alternating, and the median is reported.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (flag) => {
  const at = process.argv.indexOf(flag);
  return at < 0 ? undefined : process.argv[at + 1];
};
const builds = [arg('--dist') ?? path.join(root, 'plugins/preprocess/dist'), arg('--against')].filter(Boolean);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const COUNT = Number(process.env.BENCH_NOTEBOOKS ?? 400);

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
const CODE = [
  "import numpy as np\nimport pandas as pd\nfrom kaggle_secrets import UserSecretsClient\nuser_secrets = UserSecretsClient()\napi_key = user_secrets.get_secret('OPENAI_API_KEY')",
  "df = pd.read_csv('/kaggle/input/titanic/train.csv')\ndf['Title'] = df['Name'].str.extract(r' ([A-Za-z]+)\\.')\ndf.head()",
  'X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.2, random_state=42)',
  "params = {'objective': 'binary', 'learning_rate': 0.05, 'num_leaves': 31, 'metric': 'auc', 'seed': 42}\nmodel = lgb.train(params, dtrain, valid_sets=[dvalid], callbacks=[lgb.early_stopping(100)])",
  'for epoch in range(EPOCHS):\n    model.train()\n    for batch in loader:\n        optimizer.zero_grad()\n        loss = criterion(model(batch["x"]), batch["y"])\n        loss.backward()\n        optimizer.step()\n    print(f"epoch {epoch} loss {loss.item():.4f}")',
  "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')\nencoded = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors='pt')",
  "os.environ['WANDB_MODE'] = 'offline'\nos.environ['TOKENIZERS_PARALLELISM'] = 'false'\nheaders = {'Content-Type': 'application/json', 'Accept': 'application/json'}",
  '%%writefile config.yaml\nmodel:\n  name: efficientnet_b0\n  pretrained: true\ntrain:\n  batch_size: 32\n  lr: 0.0003\n  secret_sauce: augment\n',
  "sub = pd.DataFrame({'PassengerId': test.PassengerId, 'Survived': preds})\nsub.to_csv('submission.csv', index=False)",
  '!pip install -q catboost==1.2.5\n!ls -la /kaggle/input',
  "hash_key = hashlib.sha256(row.encode()).hexdigest()\nsort_key = lambda r: (r['date'], r['id'])\nsession_id = '5f3c1a2b-9d8e-4f7a-b6c5-1234abcd5678'",
];
const LOG = () => `Epoch ${rnd() % 50}: train_loss=0.${rnd() % 9999} val_auc=0.${rnd() % 9999}\n`;
const TABLE = () =>
  `<table><tr><th>id</th><th>feature</th></tr>${Array.from({ length: 20 }, () => `<tr><td>${rnd() % 1e6}</td><td>${(rnd() % 1e6) / 1e3}</td></tr>`).join('')}</table>`;

function notebook(k) {
  const cells = [];
  for (let c = 0; c < 25; c++) {
    const outputs = [];
    const roll = rnd() % 4;
    if (roll === 0)
      outputs.push({ output_type: 'stream', name: 'stdout', text: Array.from({ length: 30 }, LOG).join('') });
    if (roll === 1)
      outputs.push({
        output_type: 'execute_result',
        execution_count: c,
        metadata: {},
        data: { 'text/html': TABLE(), 'text/plain': 'df' },
      });
    cells.push({
      cell_type: 'code',
      id: `c${k}-${c}`,
      metadata: { papermill: { status: 'completed' } },
      execution_count: c,
      outputs,
      source: pick(CODE),
    });
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      papermill: { parameters: { lr: 0.01 } },
    },
    cells,
  };
}

const corpus = Array.from({ length: COUNT }, (_, k) => notebook(k));
const chars = corpus.reduce((sum, nb) => sum + JSON.stringify(nb).length, 0);
const scanners = [];
for (const dist of builds) scanners.push({ dist, ...(await import(path.join(path.resolve(dist), 'index.js'))) });

const times = scanners.map(() => []);
let findings = 0;
for (let round = 0; round < ROUNDS; round++) {
  scanners.forEach((scanner, k) => {
    const start = process.hrtime.bigint();
    for (const nb of corpus) findings += scanner.scanNotebook(nb).length;
    times[k].push(Number(process.hrtime.bigint() - start) / 1e9);
  });
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  `corpus: ${COUNT} notebooks, ${(chars / 1e6).toFixed(1)} MB of JSON; ${ROUNDS} rounds; Node ${process.version}\n`,
);
console.log('| build | rules | median seconds | MB/s |');
console.log('|---|---:|---:|---:|');
scanners.forEach((scanner, k) => {
  const m = median(times[k]);
  console.log(
    `| ${path.relative(root, path.resolve(scanner.dist)) || scanner.dist} | ${scanner.DEFAULT_RULES.length} | ${m.toFixed(3)} | ${(chars / 1e6 / m).toFixed(1)} |`,
  );
});
if (scanners.length === 2)
  console.log(`\nratio: ${(median(times[0]) / median(times[1])).toFixed(3)} (first build / second)`);
console.log(`findings: ${findings / ROUNDS / scanners.length}`);
