/**
 * `kagg preprocess --optimize`: unused, duplicate, shadowed and star imports per cell and line;
 * `--fix` removes the unused and duplicate ones it safely can, is idempotent, and the fixed notebook
 * prints exactly what the original printed when its code cells run under a real python3.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { optimizeImports, serializeNotebook } from '@kagg/plugin-preprocess';
import { tempDir } from '@kagg/testkit/temp';
import { runPreprocessCli } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';

/** Runs the code cells in order in one namespace (IPython lines as `pass`) and returns what they print. */
function runUnderPython(notebook: NotebookDocument): string {
  const script = [
    'import json, re, sys, io, contextlib',
    'nb = json.load(sys.stdin)',
    'ns = {"__name__": "__main__"}',
    'out = io.StringIO()',
    'for k, cell in enumerate(nb["cells"]):',
    '    if cell["cell_type"] != "code": continue',
    '    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]',
    '    src = re.sub(r"(?m)^(\\s*)[%!].*$", r"\\1pass", src)',
    '    with contextlib.redirect_stdout(out):',
    '        exec(compile(src, f"cell{k}", "exec"), ns)',
    'sys.stdout.write(out.getvalue())',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(notebook), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

const NOTEBOOK = (): NotebookDocument =>
  notebookOf([
    'from __future__ import annotations\nimport os, sys\nimport json\nimport math  # noqa\nfrom collections import (\n    OrderedDict,\n    Counter,\n    defaultdict as dd,\n)\nimport re; import string\nprint(sys.version_info[0] >= 3)',
    'import json\nimport this\nfrom itertools import *\nprint(json.dumps({"a": Counter("aab")["a"]}), list(islice("abc", 2)))',
    '%timeit textwrap.dedent("  x")\nimport textwrap\nimport json\njson = {"k": 1}\nprint(json["k"])',
    'import random, statistics\nprint(eval("statistics.mean([1, 2, 3])"))',
    'import functools\n\ndef f(x: "pathlib.Path", n=fractions.Fraction(1, 3)):\n    import pathlib\n    return f"{x}:{n}:{operator.add(1, 2)}"\nprint(f(3))',
    'import fractions, operator\nimport csv as _csv; print("csv gone")',
  ]);

test('--optimize reports unused, duplicate, shadowed and star imports with cell and line', () => {
  const { issues, fixed, notebook } = optimizeImports(NOTEBOOK());
  assert.equal(fixed, 0);
  assert.equal(notebook, undefined);
  assert.deepEqual(
    issues.map((i) => [i.cell, i.line, i.kind, i.name, i.kept ?? '']),
    [
      [0, 2, 'unused', 'os', ''],
      [0, 4, 'unused', 'math', 'marked # noqa'],
      [0, 5, 'unused', 'OrderedDict', ''],
      [0, 5, 'unused', 'dd', ''],
      [0, 10, 'unused', 're', ''],
      [0, 10, 'unused', 'string', ''],
      [1, 1, 'duplicate', 'json', ''],
      [1, 2, 'unused', 'this', 'importing this prints the Zen of Python'],
      [1, 3, 'star', 'itertools', ''],
      [2, 3, 'duplicate', 'json', ''],
      [2, 3, 'shadowed', 'json', ''],
      [3, 1, 'unused', 'random', 'cell 3 uses exec, eval, globals() or similar, which can read any name'],
      [4, 1, 'unused', 'functools', ''],
      [5, 2, 'unused', '_csv', ''],
    ],
  );
  assert.match(issues[6]!.message, /already imported in cell 0 line 3/);
  assert.match(issues[10]!.message, /bound again in cell 2 line 4/);
});

test('--fix removes the safe ones, is idempotent, and the notebook prints the same under python3', () => {
  const original = NOTEBOOK();
  const once = optimizeImports(original, { fix: true });
  assert.equal(once.fixed, 9);
  assert.deepEqual(
    once.issues.filter((i) => !i.fixed).map((i) => [i.cell, i.kind, i.name]),
    [
      [0, 'unused', 'math'],
      [1, 'unused', 'this'],
      [1, 'star', 'itertools'],
      [2, 'shadowed', 'json'],
      [3, 'unused', 'random'],
    ],
  );
  const fixed = once.notebook!;
  assert.deepEqual(
    fixed.cells.map((cell) => cell['source']),
    [
      'from __future__ import annotations\nimport sys\nimport json\nimport math  # noqa\nfrom collections import Counter\nprint(sys.version_info[0] >= 3)',
      'import this\nfrom itertools import *\nprint(json.dumps({"a": Counter("aab")["a"]}), list(islice("abc", 2)))',
      '%timeit textwrap.dedent("  x")\nimport textwrap\njson = {"k": 1}\nprint(json["k"])',
      'import random, statistics\nprint(eval("statistics.mean([1, 2, 3])"))',
      'def f(x: "pathlib.Path", n=fractions.Fraction(1, 3)):\n    import pathlib\n    return f"{x}:{n}:{operator.add(1, 2)}"\nprint(f(3))',
      'import fractions, operator\nprint("csv gone")',
    ],
  );
  const twice = optimizeImports(fixed, { fix: true });
  assert.equal(twice.fixed, 0);
  assert.equal(twice.notebook, undefined);
  assert.equal(serializeNotebook(optimizeImports(fixed, { fix: true }).notebook ?? fixed), serializeNotebook(fixed));

  // Cell 4 uses names cell 5 imports: run cell 5 first, as a notebook run out of order would.
  const reorder = (nb: NotebookDocument): NotebookDocument => ({
    ...nb,
    cells: [nb.cells[5]!, ...nb.cells.slice(0, 5)],
  });
  const before = runUnderPython(reorder(original));
  assert.match(before, /The Zen of Python/);
  assert.match(before, /3:1\/3:3/);
  assert.equal(runUnderPython(reorder(fixed)), before);
});

test('--fix keeps imports it cannot prove safe to remove, and says why', () => {
  const result = optimizeImports(
    notebookOf([
      {
        cell_type: 'code',
        metadata: { tags: ['skip-deploy'] },
        outputs: [],
        execution_count: null,
        source: 'import numpy as np',
      },
      'import numpy as np\nimport seaborn as sns\nfrom sklearn.experimental import enable_iterative_imputer\nimport acme_plugin\nimport glob\nx = np.zeros(3)',
      // A cell that does not parse: its imports stay, and every word in it counts as a use.
      'import pandas as pd\nimport csv\nfor row in (glob.glob("*"):\n    pass',
      'print(f"{pd.__name__}")',
      '!echo {np}',
      'from sklearn import datasets\nimport sklearn\nX = sklearn.datasets.load_iris()',
    ]),
    { fix: true },
  );
  assert.deepEqual(
    result.issues.map((i) => [i.cell, i.kind, i.name, i.fixed, i.kept]),
    [
      [1, 'duplicate', 'np', false, 'the import in cell 0 is in a cell that is not deployed'],
      [1, 'unused', 'sns', false, 'seaborn before 0.8 set the plot style on import'],
      [
        1,
        'unused',
        'enable_iterative_imputer',
        false,
        'importing sklearn.experimental.enable_* makes experimental estimators importable',
      ],
      [
        1,
        'unused',
        'acme_plugin',
        false,
        'acme_plugin is not known to be free of import side effects (remove it by hand if it has none)',
      ],
      [
        5,
        'unused',
        'datasets',
        false,
        'the import loads sklearn.datasets, and .datasets is read as an attribute elsewhere',
      ],
    ],
  );
  assert.equal(result.notebook, undefined);
});

test('kagg preprocess --optimize exits 1 with issues left, --fix needs a target, and a clean fix exits 0', async () => {
  const dir = tempDir('kagg-optimize-');
  const file = path.join(dir, 'nb.ipynb');
  const text = serializeNotebook(
    notebookOf(['import os, sys\nimport json\nprint(sys.argv[:0])', 'import json\nprint(json.dumps(1))']),
  );
  await writeFile(file, text);

  const report = runPreprocessCli([file, '--optimize', '--json']);
  assert.equal(report.status, 1, report.stderr);
  const json = JSON.parse(report.stdout) as { notebooks: Array<{ imports: Array<Record<string, unknown>> }> };
  assert.deepEqual(
    json.notebooks[0]!.imports.map((i) => [i['cell'], i['line'], i['kind'], i['name'], i['fixed']]),
    [
      [0, 1, 'unused', 'os', false],
      [1, 1, 'duplicate', 'json', false],
    ],
  );
  assert.equal(await readFile(file, 'utf8'), text);

  const usage = runPreprocessCli([file, '--fix']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--fix rewrite notebooks: add --in-place/);

  const fix = runPreprocessCli([file, '--optimize', '--fix', '--in-place']);
  assert.equal(fix.status, 0, fix.stderr);
  assert.match(fix.stdout, /2 import issues \(2 removed\)/);
  const fixedText = await readFile(file, 'utf8');
  const cells = (JSON.parse(fixedText) as NotebookDocument).cells.map((cell) => [cell['source']].flat().join(''));
  assert.deepEqual(cells, ['import sys\nimport json\nprint(sys.argv[:0])', 'print(json.dumps(1))']);

  const again = runPreprocessCli([file, '--fix', '--in-place', '--json']);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).notebooks[0].imports, []);
  assert.equal(await readFile(file, 'utf8'), fixedText);
});

test('removing an import keeps the rest of its line and block valid', () => {
  const fix = (source: string) => optimizeImports(notebookOf([source]), { fix: true }).notebook?.cells[0]?.['source'];
  assert.equal(fix('x = 1; import os; y = 2\nprint(x, y)'), 'x = 1; y = 2\nprint(x, y)');
  assert.equal(fix('import os; x = 1\nprint(x)'), 'x = 1\nprint(x)');
  assert.equal(fix('%%time\nimport os\nx = 1'), '%%time\nx = 1');
  assert.equal(fix('import os  # paths\nimport sys, glob  # tools\nprint(sys)'), 'import sys  # tools\nprint(sys)');
  assert.equal(fix('from os import (path,  # p\n    sep)\nprint(sep)'), 'from os import sep\nprint(sep)');
  assert.equal(fix('if True:\n    import os\nimport sys'), 'if True:\n    import os');
  // `import os.path` and `import os` bind the same module: neither shadows the other.
  const same = optimizeImports(notebookOf(['import os.path\nimport os\nprint(os.sep)']), { fix: true });
  assert.deepEqual(
    same.issues.map((i) => [i.line, i.kind]),
    [],
  );
});
