/**
 * An unknown command is a usage error: exit 2, "did you mean" when a command is close, a JSON error
 * under --json, and the arguments never glued to the command name.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

describe('unknown commands', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => rmSync(home, { recursive: true, force: true }));

  it('suggests deploy for `deplyo NB`, exits 2, and never shows the notebook as part of the command', async () => {
    const result = await kagg(['deplyo', 'examples/iris/iris.ipynb'], env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Error: "deplyo" is not a kagg command\n {2}→ did you mean `kagg deploy`\?/);
    assert.doesNotMatch(result.stderr, /iris|deplyo:/);
  });

  it('answers in JSON under --json, with the suggestion for a mistyped subcommand of a topic', async () => {
    const result = await kaggJson<{ error: { code: string; message: string; details: { suggestion: string } } }>(
      ['endpoints', 'lst'],
      env,
    );
    assert.equal(result.code, 2);
    assert.equal(result.json.error.code, 'COMMAND_NOT_FOUND');
    assert.equal(result.json.error.message, '"endpoints lst" is not a kagg command');
    assert.equal(result.json.error.details.suggestion, 'endpoints list');
  });

  it('suggests nothing for a word close to no command', async () => {
    const result = await kagg(['frobnicate', 'x'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /"frobnicate" is not a kagg command\n {2}→ `kagg --help` lists every command\n$/);
  });
});
