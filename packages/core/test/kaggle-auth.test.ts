// Credentials are found in the official CLI's order, reported by where they came from (never by value),
// registered for redaction, and a kaggle.json readable by others gives a warning. Kernel refs and URLs
// parse as users type them (these tests assume a Linux machine, as CI is); URLs of competitions and datasets are refused with a message saying so.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { redact } from '@kagg/core/config';
import { describeKaggleCredentials, findKaggleCredentials, parseKernelRef, requireKernelRef } from '@kagg/core/kaggle';
import { tempDir } from '@kagg/testkit/temp';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function home(): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = tempDir('kagg-auth-');
  roots.push(dir);
  return { dir, env: { HOME: dir } };
}

function writeKaggleJson(dir: string, body: object, mode = 0o600): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'kaggle.json');
  writeFileSync(file, JSON.stringify(body));
  chmodSync(file, mode);
  return file;
}

describe('credential look-up order', () => {
  it('prefers KAGGLE_API_TOKEN (a value) over everything else', () => {
    const { env, dir } = home();
    writeKaggleJson(path.join(dir, '.kaggle'), { username: 'u', key: 'k'.repeat(32) });
    const found = findKaggleCredentials({
      ...env,
      KAGGLE_API_TOKEN: 'KGAT_value_token_1',
      KAGGLE_USERNAME: 'x',
      KAGGLE_KEY: 'y'.repeat(32),
    });
    assert.equal(found.credentials?.kind, 'bearer');
    assert.equal(found.credentials?.source, 'KAGGLE_API_TOKEN');
  });

  it('reads KAGGLE_API_TOKEN as a file path when it names a file', () => {
    const { env, dir } = home();
    const file = path.join(dir, 'tok');
    writeFileSync(file, '  KGAT_from_file_22\n');
    const found = findKaggleCredentials({ ...env, KAGGLE_API_TOKEN: file });
    assert.deepEqual(found.credentials, {
      kind: 'bearer',
      token: 'KGAT_from_file_22',
      source: `KAGGLE_API_TOKEN (file ${file})`,
    });
  });

  it('then ~/.kaggle/access_token, skipping an empty one for access_token.txt', () => {
    const { env, dir } = home();
    mkdirSync(path.join(dir, '.kaggle'));
    writeFileSync(path.join(dir, '.kaggle', 'access_token'), '   \n');
    writeFileSync(path.join(dir, '.kaggle', 'access_token.txt'), 'KGAT_txt_token_333');
    writeKaggleJson(path.join(dir, '.kaggle'), { username: 'u', key: 'k'.repeat(32) });
    const found = findKaggleCredentials(env);
    assert.equal(found.credentials?.kind, 'bearer');
    assert.equal(found.credentials?.source, path.join(dir, '.kaggle', 'access_token.txt'));
  });

  it('then KAGGLE_USERNAME + KAGGLE_KEY, completed by kaggle.json in KAGGLE_CONFIG_DIR', () => {
    const { env, dir } = home();
    const file = writeKaggleJson(path.join(dir, 'conf'), { username: 'fromfile', key: 'f'.repeat(32) });
    const found = findKaggleCredentials({
      ...env,
      KAGGLE_CONFIG_DIR: path.join(dir, 'conf'),
      KAGGLE_USERNAME: 'envuser',
    });
    assert.equal(found.credentials?.kind, 'basic');
    assert.equal(
      found.credentials?.kind === 'basic' && found.credentials.username,
      'envuser',
      'the variable wins over the file',
    );
    assert.equal(found.credentials?.source, `KAGGLE_USERNAME + ${file}`);
  });

  it('uses $XDG_CONFIG_HOME/kaggle/kaggle.json on Linux only when ~/.kaggle does not exist', () => {
    const { env, dir } = home();
    const xdg = path.join(dir, 'xdg');
    const file = writeKaggleJson(path.join(xdg, 'kaggle'), { username: 'xdguser', key: 'x'.repeat(32) });
    assert.equal(findKaggleCredentials({ ...env, XDG_CONFIG_HOME: xdg }).credentials?.source, file);
    mkdirSync(path.join(dir, '.kaggle'));
    const none = findKaggleCredentials({ ...env, XDG_CONFIG_HOME: xdg });
    assert.equal(none.credentials, undefined);
    assert.ok(none.searched.includes(path.join(dir, '.kaggle', 'kaggle.json')));
  });

  it('warns (and goes on) when kaggle.json is readable by others', () => {
    const { env, dir } = home();
    const file = writeKaggleJson(path.join(dir, '.kaggle'), { username: 'u', key: 'k'.repeat(32) }, 0o644);
    const found = findKaggleCredentials(env);
    assert.equal(found.credentials?.kind, 'basic');
    assert.equal(found.warnings.length, 1);
    assert.match(found.warnings[0] ?? '', new RegExp(`chmod 600 ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    chmodSync(file, 0o600);
    assert.deepEqual(findKaggleCredentials(env).warnings, []);
  });

  it('warns when kaggle.json is readable by its group only, or by others only', () => {
    const { env, dir } = home();
    const file = writeKaggleJson(path.join(dir, '.kaggle'), { username: 'u', key: 'k'.repeat(32) }, 0o640);
    assert.match(findKaggleCredentials(env).warnings.join('\n'), /readable by other users.*chmod 600/);
    chmodSync(file, 0o604);
    assert.match(findKaggleCredentials(env).warnings.join('\n'), /readable by other users.*chmod 600/);
    chmodSync(file, 0o700); // the owner's own bits are no one else's business
    assert.deepEqual(findKaggleCredentials(env).warnings, []);
  });

  it('describes where credentials are, never their value, and lists every place searched when none are', () => {
    const { env, dir } = home();
    const missing = describeKaggleCredentials(env);
    assert.ok('missing' in missing);
    assert.deepEqual(missing.searched, [
      'KAGGLE_API_TOKEN',
      path.join(dir, '.kaggle', 'access_token'),
      path.join(dir, '.kaggle', 'access_token.txt'),
      'KAGGLE_USERNAME + KAGGLE_KEY',
      process.platform === 'linux'
        ? path.join(dir, '.config', 'kaggle', 'kaggle.json')
        : path.join(dir, '.kaggle', 'kaggle.json'),
      path.join(dir, '.kaggle', 'credentials.json'),
    ]);
    const key = 'secretkey9876543210abcdef01234567';
    const described = describeKaggleCredentials({ ...env, KAGGLE_USERNAME: 'carol', KAGGLE_KEY: key });
    assert.deepEqual(described, {
      source: 'KAGGLE_USERNAME + KAGGLE_KEY',
      kind: 'basic',
      username: 'carol',
      warnings: [],
    });
    assert.ok(!JSON.stringify(described).includes(key));
    assert.equal(redact(`key is ${key}`), 'key is ****', 'a loaded key is registered for redaction');
  });
});

describe('kernel refs', () => {
  it('parses owner/slug, a bare slug and kernel URLs', () => {
    assert.deepEqual(parseKernelRef('alice/titanic-model'), { owner: 'alice', slug: 'titanic-model' });
    assert.deepEqual(parseKernelRef('titanic-model'), { owner: undefined, slug: 'titanic-model' });
    assert.deepEqual(parseKernelRef('https://www.kaggle.com/code/alice/titanic-model'), {
      owner: 'alice',
      slug: 'titanic-model',
    });
    assert.deepEqual(parseKernelRef('https://kaggle.com/code/alice/titanic-model/edit?x=1'), {
      owner: 'alice',
      slug: 'titanic-model',
    });
    assert.deepEqual(parseKernelRef('https://www.kaggle.com/alice/titanic-model'), {
      owner: 'alice',
      slug: 'titanic-model',
    });
  });

  it('returns null for inputs that are not refs (files, paths, other sites)', () => {
    for (const input of ['model.ipynb', './model', 'a/b/c', '/abs/path', 'https://github.com/a/b', '']) {
      assert.equal(parseKernelRef(input), null, input);
    }
    assert.throws(
      () => requireKernelRef('model.ipynb'),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && /not a Kaggle kernel reference/.test(e.message),
    );
  });

  it('refuses competition and dataset URLs with a message naming what they are', () => {
    assert.throws(
      () => parseKernelRef('https://www.kaggle.com/competitions/titanic'),
      /is a competition URL, not a kernel/,
    );
    assert.throws(() => parseKernelRef('https://www.kaggle.com/c/titanic'), /is a competition URL/);
    assert.throws(() => parseKernelRef('https://www.kaggle.com/datasets/alice/iris'), /is a dataset URL/);
  });
});
