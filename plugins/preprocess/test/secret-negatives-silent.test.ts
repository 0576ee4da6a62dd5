import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { scanNotebook, scanText } from '@kagg/plugin-preprocess';
import { rand, reseed } from './helpers/samples.ts';

function codeNotebook(sources: string[], extra: Partial<NotebookDocument> = {}): NotebookDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: sources.map((source, k) => ({
      cell_type: 'code',
      id: `c${k}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
    ...extra,
  };
}

const NEGATIVE_LINES = [
  // hashes and digests
  'sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
  'md5_checksum = "9e107d9d372bb6826bd81d3542a419d6"',
  'file_hash_key = "d41d8cd98f00b204e9800998ecf8427e"',
  'commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"',
  // UUIDs and ids
  'run_id = "123e4567-e89b-12d3-a456-426614174000"',
  'dataset_key_id = "9f1c2a9e-7b3d-4c5e-8f9a-0b1c2d3e4f5a"',
  'model_id = "a3f5c8e1b2d4"',
  'cache_key = "train_fold_3_seed_42"',
  'sort_key = lambda row: row["score"]',
  'partition_key = "2024-01-01"',
  // placeholders
  'api_key = "YOUR_API_KEY"',
  'OPENAI_API_KEY = "sk-..."',
  'token = "<your-token-here>"',
  'SECRET_KEY = "changeme"',
  'password = "password"',
  'password = "********"',
  'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',
  'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
  'HF_TOKEN = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
  'api_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
  'api_key = "0123456789abcdef0123456789abcdef"',
  'db_url = f"postgresql://{user}:{password}@{host}:5432/{db}"',
  'engine = create_engine("postgresql://postgres:postgres@localhost:5432/postgres")',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, on purpose
  'conn = "mysql+pymysql://user:${DB_PASSWORD}@db/prod"',
  'broker = "amqp://guest:guest@localhost:5672//"',
  // sanctioned secret look-ups
  'from kaggle_secrets import UserSecretsClient',
  'user_secrets = UserSecretsClient()',
  'api_key = user_secrets.get_secret("OPENAI_API_KEY")',
  'secret_value_0 = user_secrets.get_secret("wandb")',
  'os.environ["OPENAI_API_KEY"] = user_secrets.get_secret("openai")',
  'token = os.environ["HF_TOKEN"]',
  'api_key = os.getenv("WEATHER_API_KEY")',
  'password = getpass.getpass("Password: ")',
  'key = userdata.get("GEMINI_API_KEY")',
  'openai.api_key = api_key',
  'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
  'API_KEY_NAME = "OPENAI_API_KEY"',
  'secret_label = "kaggle-api-key"',
  // ML code that mentions keys and tokens
  'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
  'max_tokens = 512',
  'inputs = tokenizer(text, padding="max_length", truncation=True, max_length=128)',
  'token_type_ids = encoded["token_type_ids"]',
  'key = jax.random.PRNGKey(0)',
  'rng_key, subkey = jax.random.split(rng_key)',
  'for key, value in params.items():',
  'df = df.sort_values(by="date", key=lambda col: col.str.lower())',
  'primary_key = "customer_id"',
  'auth_method = "oauth2"',
  'model_key = "google/flan-t5-base"',
  'public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkQ2yFb8m1q9p0rJ3tN6vW2xZ4cA7dE9fG1hJ3kL5mN"',
  'st.text_input("API key", key="api_key_input", type="password")',
  'passwords = ["123456", "qwerty", "letmein"]',
  'password_length = 16',
  'keyboard_layout = "qwertz-de-nodeadkeys"',
  'monkey = "a1b2c3d4e5f6g7h8"',
  'url = "https://www.kaggle.com/code/alice/eda-titanic"',
  'path = "/kaggle/input/titanic/train.csv"',
  'auth_token_path = "/kaggle/input/creds/token.json"',
  'img_b64 = base64.b64encode(buf.getvalue()).decode()',
  'print(f"Bearer {token}")',
  'headers = {"Authorization": f"Bearer {api_key}"}',
  'if password == "":',
  'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")',
  'version = "1.2.3-post4"',
];

test('look-ups, placeholders, hashes, UUIDs and ordinary ML code raise no finding', () => {
  const findings = scanNotebook(codeNotebook(NEGATIVE_LINES));
  assert.deepEqual(
    findings.map((f) => `${f.rule}: ${NEGATIVE_LINES[f.cell]}`),
    [],
  );
});

test('base64 images in outputs, HTML and markdown attachments are skipped', () => {
  reseed(7);
  const png = `iVBORw0KGgoAAAANSUhEUgAA${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 200_000)}==`;
  const notebook = codeNotebook(['plt.show()']);
  notebook.cells[0]!['outputs'] = [
    {
      output_type: 'display_data',
      metadata: {},
      data: { 'image/png': png, 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
    },
    { output_type: 'display_data', metadata: {}, data: { 'text/html': [`<img src="data:image/png;base64,${png}"/>`] } },
    { output_type: 'display_data', metadata: {}, data: { 'application/pdf': png } },
  ];
  notebook.cells.push({
    cell_type: 'markdown',
    id: 'md',
    metadata: {},
    source: '![chart](attachment:chart.png)',
    attachments: { 'chart.png': { 'image/png': png } },
  });
  assert.deepEqual(scanNotebook(notebook), []);
});

test('widget model ids, interpreter hashes and Kaggle metadata raise no finding', () => {
  const notebook = codeNotebook(['display(slider)'], {
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      interpreter: { hash: '916dbcbb3f70747c44a77c7bcd40155683ae19c65e1c03b4aa3499c5328201f1' },
      kaggle: {
        accelerator: 'gpu',
        dataSources: [{ sourceId: 12345, sourceType: 'competition' }],
        isInternetEnabled: true,
      },
      widgets: {
        'application/vnd.jupyter.widget-state+json': {
          state: {
            '4f1c2a9e7b3d4c5e8f9a0b1c2d3e4f5a': { model_name: 'IntSliderModel', state: { value: 3, description: 'k' } },
          },
        },
      },
    },
  });
  notebook.cells[0]!['outputs'] = [
    {
      output_type: 'display_data',
      metadata: {},
      data: {
        'application/vnd.jupyter.widget-view+json': { model_id: '4f1c2a9e7b3d4c5e8f9a0b1c2d3e4f5a', version_major: 2 },
      },
    },
  ];
  assert.deepEqual(scanNotebook(notebook), []);
});

test('a DataFrame and a training log in outputs raise no finding', () => {
  const text = [
    '   user_id  session_token_count  api_calls        key_metric',
    '0  a3f5c8e1                   12         40  0.912345678901234',
    'Epoch 1/10 - loss: 0.6931 - auth_score: 0.5012 - val_loss: 0.6930',
    "{'input_ids': [101, 2023, 2003, 102], 'token_type_ids': [0, 0, 0, 0], 'attention_mask': [1, 1, 1, 1]}",
    'Downloading model.safetensors: 100%|██████████| 440M/440M [00:03<00:00, 139MB/s]',
    'Your token has been saved to /root/.cache/huggingface/token',
    'wandb: Currently logged in as: alice (use `wandb login --relogin` to force relogin)',
  ].join('\n');
  assert.deepEqual(scanText(text), []);
});

test('connection-string templates stay silent; a real password holding $ or ! does not', () => {
  for (const template of [
    ['postgresql://app:$', '{PGPASSWORD}@db:5432/x'].join(''),
    'postgresql://app:$PGPASSWORD@db:5432/x',
    'mysql+pymysql://root:{password}@localhost/db',
    'postgresql://user:%(pw)s@host/db',
    'postgresql://user:****@host/db',
  ]) {
    assert.deepEqual(
      scanText(`engine = create_engine("${template}")`).map((f) => f.rule.id),
      [],
      template,
    );
  }
  for (const real of ['postgresql://admin:Pg$ecret2024@10.0.0.5:5432/prod', 'mongodb://ops:S3cure!Pw9@mongo:27017']) {
    assert.deepEqual(
      scanText(`could not connect to ${real}`).map((f) => f.rule.id),
      ['url-password'],
      real,
    );
  }
});
