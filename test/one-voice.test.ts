/**
 * Help as one voice: an alias is shown as an alias, not as a second command; durations are read the
 * same way by every command; `--data @FILE` (curl's convention) beside `--data-file`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

describe('one voice across commands', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const payload = path.join(home, 'payload.json');

  before(async () => {
    writeFileSync(payload, '{"a": 40, "b": 2}');
    const deployed = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'voice'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
  });
  after(() => cleanup(home));

  it('lists invoke once, naming call as its alias, and call still runs it', async () => {
    const help = await kagg(['--help'], env);
    assert.match(help.stdout, /invoke\s+Call an endpoint .*\(also\s+`kagg call`\)/s);
    assert.doesNotMatch(help.stdout, /^\s+call\s/m);
    const called = await kaggJson<{ body: unknown }>(['call', 'voice', '--data', '{"a": 1, "b": 2}'], env);
    assert.deepEqual(called.json.body, { sum: 3 });
  });

  it('reads --data @FILE as curl does, and names a missing file', async () => {
    const result = await kaggJson<{ body: unknown }>(['invoke', 'voice', '--data', `@${payload}`], env);
    assert.deepEqual(result.json.body, { sum: 42 });
    const missing = await kagg(['invoke', 'voice', '--data', '@nope.json'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data @nope\.json: no such file/);
  });

  it('takes durations the same way everywhere: bare seconds or a unit; a bad one is a usage error naming the flag', async () => {
    const ok = await kaggJson<{ body: unknown }>(
      ['invoke', 'voice', '--data', '{"a": 1, "b": 1}', '--timeout', '2m'],
      env,
    );
    assert.deepEqual(ok.json.body, { sum: 2 });
    for (const args of [
      ['invoke', 'voice', '--timeout', '5x'],
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'voice', '--timeout', 'soon'],
      ['logs', 'voice', '--since', '10 minutes'],
    ]) {
      const bad = await kaggJson<{ error: { code: string; message: string } }>(args, env);
      assert.equal(bad.code, 2, args.join(' '));
      assert.equal(bad.json.error.code, 'DURATION_INVALID');
      assert.match(bad.json.error.message, /^--(timeout|since) "[^"]+" is not a duration/);
    }
    const logs = await kagg(['logs', 'voice', '--since', '3600'], env);
    assert.equal(logs.code, 0, logs.stderr);
  });

  it('a missing argument or a bad flag value is two lines: what is wrong, and where help is (exit 2)', async () => {
    const missing = await kagg(['deploy'], env);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'Error: Missing 1 required arg:\ninput  Notebook file, folder, URL or Kaggle ref.\n  → see `kagg deploy --help`\n',
    );
    const bad = await kagg(['deploy', 'x.ipynb', '--memory', 'lots'], env);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'Error: --memory: Expected an integer but received: lots\n  → see `kagg deploy --help`\n');
  });
});
