import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isKaggError } from '@kagg/core/errors';
import type { Conversion } from '@kagg/core/notebook';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { tempDir } from '@kagg/testkit/temp';

const fixtures = new URL('./fixtures/notebooks/', import.meta.url);
const work = tempDir('kagg-notebook-fixtures-');
after(() => rmSync(work, { recursive: true, force: true }));

function convertFixture(name: string): Conversion {
  return convertNotebook(readNotebook(readFileSync(new URL(name, fixtures), 'utf8'), name));
}

/** Write the module and its files into a fresh folder, as a bundle would hold them. */
function writeBundle(name: string, conversion: Conversion): string {
  const dir = join(work, name.replace(/\W/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'notebook.py'), conversion.module);
  for (const file of conversion.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}

/** Run the module with python3 from the bundle folder, then evaluate `expression`; returns it as JSON. */
function runPython(dir: string, expression: string): unknown {
  const program = [
    'import json, runpy, sys',
    'sys.path.insert(0, ".")',
    'ns = runpy.run_path("notebook.py")',
    `print(json.dumps(eval(${JSON.stringify(expression)}, ns)))`,
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program], { cwd: dir, encoding: 'utf8', timeout: 60_000 }));
}

function assertParses(dir: string): void {
  execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', join(dir, 'notebook.py')], {
    stdio: 'pipe',
  });
}

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(isKaggError(error), String(error));
    return error;
  }
  assert.fail('expected an error');
}

describe('fixture notebooks', () => {
  it('pm-basic: skips the skip-deploy cell and serves process_request', () => {
    const conversion = convertFixture('pm-basic.ipynb');
    assert.equal(conversion.entry, 'process_request');
    assert.ok(!conversion.module.includes('exploration'));
    const dir = writeBundle('pm-basic', conversion);
    assertParses(dir);
    assert.deepEqual(runPython(dir, 'process_request({"a": 2, "b": 40})'), { sum: 42 });
  });

  it('params-basic: exposes its parameters and computes result', () => {
    const conversion = convertFixture('params-basic.ipynb');
    assert.equal(conversion.entry, 'parameters');
    assert.deepEqual(conversion.parameters, [
      { name: 'x', type: 'int', default: '2' },
      { name: 'name', type: 'str', default: '"world"' },
      { name: 'scale', type: 'float', default: '1.5' },
      { name: 'flag', type: 'bool', default: 'False' },
    ]);
    assert.match(conversion.module, /^# %% \[kagg cell 1 parameters\]$/m);
    const dir = writeBundle('params-basic', conversion);
    assertParses(dir);
    assert.deepEqual(runPython(dir, 'result'), { greeting: 'hello world', value: 3 });
  });

  it('magics: requirements recorded, helper.py bundled and importable, runs on stdlib python3', () => {
    const conversion = convertFixture('magics.ipynb');
    assert.equal(conversion.entry, 'process_request');
    assert.deepEqual(conversion.requirements, ['requests', 'tinyproj==1.0']);
    assert.deepEqual(conversion.files, [{ path: 'helper.py', content: 'def double(v):\n    return v * 2\n' }]);
    const code = conversion.module.split('\n').filter((line) => !line.startsWith('# '));
    assert.deepEqual(
      code.filter((line) => /[%!]/.test(line)),
      [],
    );
    const dir = writeBundle('magics', conversion);
    assertParses(dir);
    assert.deepEqual(runPython(dir, 'process_request({"n": 5})'), { value: 30 });
  });

  it('converting a fixture twice gives the same bytes', () => {
    for (const name of ['pm-basic.ipynb', 'params-basic.ipynb', 'magics.ipynb']) {
      assert.deepEqual(convertFixture(name), convertFixture(name));
    }
  });

  it('nbformat3, invalid, no-entry and unknown-magic fail with their codes', () => {
    assert.equal(codeOf(() => convertFixture('nbformat3.ipynb')).code, 'NOTEBOOK_UNSUPPORTED_FORMAT');
    assert.equal(codeOf(() => convertFixture('invalid.ipynb')).code, 'NOTEBOOK_INVALID_JSON');
    assert.equal(codeOf(() => convertFixture('no-entry.ipynb')).code, 'NOTEBOOK_NO_ENTRY_POINT');
    const unknown = codeOf(() => convertFixture('unknown-magic.ipynb'));
    assert.equal(unknown.code, 'NOTEBOOK_UNSUPPORTED_SYNTAX');
    assert.match(unknown.message, /^unknown-magic\.ipynb: cell 2 \(id uses-foo\), line 3: .*`%foo bar`$/);
  });
});
