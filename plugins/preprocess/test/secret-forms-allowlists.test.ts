/**
 * The forms a notebook writes a credential in (issue 17 §2) and the allowlists that keep known-public
 * values, placeholders and a user's gitleaks allowlists silent (§3). Fake values are built at run
 * time from each provider's format, so no whole token sits in this file.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { DEFAULT_RULES, loadGitleaksToml, scanNotebook } from '@kagg/plugin-preprocess';
import { tempDir } from '@kagg/testkit/temp';
import { runPreprocessCli } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';
import { rand, reseed } from './helpers/samples.ts';

reseed(17);
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const key = `Q7w${rand(AN, 26)}9`;
const hexToken = `9f3c${rand(HEX, 36)}`;
const uuid = `${rand(HEX, 8)}-${rand(HEX, 4)}-4${rand(HEX, 3)}-a${rand(HEX, 3)}-${rand(HEX, 12)}`;
const pat = `ghp_${rand(AN, 36)}`;

const rulesOf = (source: string, rules?: ReturnType<typeof loadGitleaksToml>['rules']): string[] =>
  scanNotebook(notebookOf([source]) as unknown as NotebookDocument, rules ? { rules } : {}).map((f) => f.rule);

test('every rule but the generic ones has its own id and says where to revoke its key', () => {
  const ids = DEFAULT_RULES.map((rule) => rule.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  const silent = DEFAULT_RULES.filter((rule) => !rule.generic && !/ \(revoke: .{6,}\)$/.test(rule.description));
  assert.deepEqual(
    silent.map((rule) => rule.id),
    [],
  );
});

describe('every form a notebook writes a credential in is found', () => {
  const forms: Array<[string, string, string]> = [
    ['Authorization: Token', `headers = {"Authorization": "Token ${hexToken}"}`, 'authorization-header'],
    [
      'Authorization: Api-Token',
      `requests.get(url, headers={"Authorization": "Api-Token ${hexToken}"})`,
      'authorization-header',
    ],
    ['X-Api-Key header', `!curl -s -H "X-Api-Key: ${key}" https://api.acme-corp.net/v2`, 'authorization-header'],
    ['curl --user', `!curl --user analyst:${key} https://api.acme-corp.net/v2`, 'curl-auth-user'],
    ['triple-quoted string', `API_KEY = """${key}"""`, 'generic-api-key'],
    ["triple-quoted ''' string", `secret_token = '''${key}'''`, 'generic-api-key'],
    ['parenthesised continuation', `API_KEY = (\n    "${key}"\n)`, 'generic-api-key'],
    ['backslash continuation', `API_KEY = \\\n    "${key}"`, 'generic-api-key'],
    ['typed Python assignment', `api_key: str = "${key}"`, 'generic-api-key'],
    ['typed Go assignment', `var apiKey string = "${key}"`, 'generic-api-key'],
    ['Makefile conditional assignment', `API_TOKEN ?= "${key}"`, 'generic-api-key'],
    ['PHP concatenating assignment', `$apiToken .= "${key}";`, 'generic-api-key'],
    ['XML element', `<apiToken>\n    ${key}\n</apiToken>`, 'generic-api-key'],
    ['%env', `%env API_KEY=${key}`, 'generic-api-key'],
    ['!export', `!export API_KEY=${key}`, 'generic-api-key'],
    ['os.environ', `os.environ["API_KEY"] = "${key}"`, 'generic-api-key'],
    ['%%writefile YAML', `%%writefile config.yaml\nservice:\n  api_key: ${key}\n`, 'generic-api-key'],
    ['%%writefile INI', `%%writefile creds.ini\n[default]\napi_token = ${key}\n`, 'generic-api-key'],
    ['%%writefile JSON', `%%writefile creds.json\n{\n  "client": {"api_key": "${key}"}\n}\n`, 'generic-api-key'],
    ['UUID next to a provider name', `SNYK_TOKEN = "${uuid}"`, 'snyk-api-token'],
    ['UUID in a provider config key', `heroku:\n  api_key: ${uuid}`, 'heroku-api-key-uuid'],
    [
      'provider key in a YAML file',
      `%%writefile settings.yml\nsendbird_api_token: ${hexToken}\n`,
      'sendbird-access-token',
    ],
  ];
  for (const [name, source, rule] of forms) {
    test(name, () => {
      assert.deepEqual(rulesOf(source), [rule], source);
    });
  }
});

test('a UUID is a key only where a name names the provider or a credential', () => {
  for (const source of [
    `session_id = "${uuid}"`,
    `run = wandb.init(id="${uuid}")`,
    `dataset_uuid: ${uuid}`,
    `print("${uuid}")`,
  ])
    assert.deepEqual(rulesOf(source), [], source);
});

describe('placeholders and known-public values stay silent', () => {
  const silent: Array<[string, string]> = [
    ['a run of x', `DOPPLER_TOKEN = "dp.st.${'x'.repeat(43)}"`],
    ['xxxx in a provider value', `FASTLY_API_TOKEN = "xxxx${rand(AN, 28)}"`],
    ['<your-key>', `PLAID_SECRET = "<your-plaid-secret>"`],
    ['one repeated character', `SENTRY_TOKEN = "${'a'.repeat(64)}"`],
    ['a $-brace template', `OKTA_API_TOKEN = "${'$'}{OKTA_API_TOKEN}"`],
    ['a header variable', 'headers = {"Authorization": "Token $API_TOKEN"}'],
    ['a curl password variable', '!curl --user "$USER:$PASSWORD" https://api.acme-corp.net'],
    ['a published Google SDK example key', `apiKey: "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE"`],
    ['a NuGet documentation sample', '<add key="ClearTextPassword" value="33f!!lloppa" />'],
    ['an anti-forgery token', `<input name="authenticity_token" value="${rand(AN, 40)}">`],
    ['a provider word inside another word (etsy in SetSysctl)', `SetSysctl = "${rand(AN, 24)}"`],
    ['a provider word inside another word (okta in rookTable)', `rookTable = "00${rand(AN, 40)}"`],
  ];
  for (const [name, source] of silent) {
    test(name, () => {
      assert.deepEqual(rulesOf(source), [], source);
    });
  }
});

describe('a gitleaks TOML allowlist is honoured', () => {
  const ACME = `acme_live_${rand(AN, 24)}`;
  const ACME_TEST = `acme_test_${rand(AN, 24)}`;
  const rule = [
    '[[rules]]',
    'id = "acme-token"',
    "regex = '''\\b(acme_(?:live|test)_[A-Za-z0-9]{24})\\b'''",
    'keywords = ["acme_"]',
  ];

  test('[[rules.allowlists]] silences its rule only where it matches', () => {
    const { rules } = loadGitleaksToml([...rule, '[[rules.allowlists]]', "regexes = ['''^acme_test_''']"].join('\n'));
    assert.deepEqual(rulesOf(`live = "${ACME}"\ntest = "${ACME_TEST}"`, rules), ['acme-token']);
  });

  test('[allowlist] applies to the extended default rules too, by line', () => {
    const { rules } = loadGitleaksToml(
      [
        '[extend]',
        'useDefault = true',
        '[allowlist]',
        'regexTarget = "line"',
        "regexes = ['''fixture''']",
        ...rule,
      ].join('\n'),
    );
    assert.deepEqual(rulesOf(`token = "${pat}"  # fixture`, rules), []);
    assert.deepEqual(rulesOf(`token = "${pat}"`, rules), ['github-pat']);
    assert.deepEqual(rulesOf(`x = "${ACME}"  # fixture`, rules), []);
  });

  test('[[allowlists]] with targetRules applies only to the rules it names', () => {
    const { rules } = loadGitleaksToml(
      [
        '[extend]',
        'useDefault = true',
        '[[allowlists]]',
        'targetRules = ["acme-token"]',
        'stopwords = ["live"]',
        ...rule,
      ].join('\n'),
    );
    assert.deepEqual(rulesOf(`a = "${ACME}"`, rules), []);
    assert.deepEqual(rulesOf(`a = "${ACME_TEST}"`, rules), ['acme-token']);
    // the stopword does not reach github-pat, though its secret would hold it
    assert.deepEqual(rulesOf(`token = "ghp_live${rand(AN, 32)}"`, rules), ['github-pat']);
  });

  test('kagg preprocess --rules: an allowlisted secret exits 0, the others still 1', async () => {
    const dir = tempDir('kagg-allow-');
    const rulesFile = path.join(dir, 'gitleaks.toml');
    await writeFile(
      rulesFile,
      [
        ...rule,
        '[[rules.allowlists]]',
        'condition = "AND"',
        "regexes = ['''^acme_test_''']",
        'stopwords = ["acme"]',
      ].join('\n'),
    );
    const allowed = path.join(dir, 'allowed.ipynb');
    await writeFile(allowed, JSON.stringify(notebookOf([`key = "${ACME_TEST}"`])));
    const passed = runPreprocessCli([allowed, '--rules', rulesFile, '--format', 'json']);
    assert.equal(passed.status, 0, passed.stderr);
    assert.deepEqual(JSON.parse(passed.stdout).findings, []);
    const leaked = path.join(dir, 'leaked.ipynb');
    await writeFile(leaked, JSON.stringify(notebookOf([`key = "${ACME_TEST}"\nother = "${ACME}"`])));
    const failed = runPreprocessCli([leaked, '--rules', rulesFile, '--format', 'json']);
    assert.equal(failed.status, 1, failed.stderr);
    assert.deepEqual(
      JSON.parse(failed.stdout).findings.map((f: { rule: string; line: number }) => [f.rule, f.line]),
      [['acme-token', 2]],
    );
    assert.ok(!failed.stdout.includes(ACME) && !failed.stderr.includes(ACME));
  });
});
