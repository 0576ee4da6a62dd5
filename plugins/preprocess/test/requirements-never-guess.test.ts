/**
 * Requirements never guess a distribution: modules the notebook reaches through sys.path are its own,
 * an unknown import is reported (cell and line) and left out unless asked for, the installer upgrading
 * itself is no requirement, and a front-end module the deployed code uses is required.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { runKaggHook } from '@kagg/core/targets';
import { hooks } from '@kagg/plugin-api';
import { analyzeRequirements } from '@kagg/plugin-preprocess';
import { tempDir } from '@kagg/testkit/temp';
import { Config } from '@oclif/core';
import { PLUGIN_ROOT, runPreprocessCli } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';

const SKIPPED = (source: string) => ({
  cell_type: 'code',
  metadata: { tags: ['skip-deploy'] },
  outputs: [],
  execution_count: null,
  source,
});

test('modules reached through sys.path.append/insert of a folder are local, listed or not', async () => {
  const root = tempDir('kagg-syspath-');
  const dir = path.join(root, 'notebooks');
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'src', 'featurize.py'), 'def f(x):\n    return x\n');
  await mkdir(path.join(root, 'common', 'shared'), { recursive: true });
  await writeFile(path.join(root, 'common', 'shared', '__init__.py'), '');
  await writeFile(path.join(root, 'sibling.py'), 'X = 1\n');
  // A namespace package (no __init__.py) next to the notebook.
  await mkdir(path.join(dir, 'research', 'models'), { recursive: true });
  await writeFile(path.join(dir, 'research', 'models', 'net.py'), 'class Net: ...\n');
  const notebook = notebookOf([
    'import sys, os\nsys.path.insert(0, "src")\nsys.path.append("..")\nsys.path.append(os.path.join("..", "common"))',
    'import featurize\nimport sibling\nfrom shared import tools\nfrom research.models.net import Net\nimport tqdm',
  ]);
  const listed = await analyzeRequirements(notebook, { directory: dir });
  assert.deepEqual(listed.requirements, ['tqdm']);
  assert.deepEqual(listed.local, ['featurize', 'research', 'shared', 'sibling']);
  assert.deepEqual(listed.unresolved, []);

  // A Kaggle dataset folder that is not on this machine: names no table knows are taken as the
  // notebook's own (with a note), names the table knows stay requirements.
  const kaggle = await analyzeRequirements(
    notebookOf([
      "import sys\nsys.path.append('/kaggle/input/my-utils-dataset/src')",
      'from kaggle_helpers import load_fold\nimport timm',
    ]),
  );
  assert.deepEqual(kaggle.requirements, ['timm']);
  assert.deepEqual(kaggle.local, ['kaggle_helpers']);
  assert.deepEqual(kaggle.unresolved, []);
  assert.ok(
    kaggle.warnings.some((w) => w.includes('kaggle_helpers') && w.includes("sys.path.append('/kaggle/input/my-utils")),
    kaggle.warnings.join('\n'),
  );
  const working = await analyzeRequirements(
    notebookOf([
      "import sys\nfrom pathlib import Path\nsys.path.insert(0, str(Path('/kaggle/working') / 'lib'))\nimport my_lib",
    ]),
  );
  assert.deepEqual([working.requirements, working.local], [[], ['my_lib']]);
});

test('an unknown import is unresolved with cell and line and kept out, unless asked for', async () => {
  const notebook = notebookOf([
    'import numpy as np',
    '!pip install my-private-pkg python-Levenshtein\nimport my_private_pkg\nimport Levenshtein\n\nimport acme_internal.models as m\nfrom acme_internal import x',
  ]);
  const report = await analyzeRequirements(notebook);
  assert.deepEqual(report.requirements, ['my-private-pkg', 'numpy', 'python-Levenshtein']);
  assert.deepEqual(
    report.unresolved.map((u) => [u.cell, u.line, u.text, u.module]),
    [[1, 5, 'import acme_internal.models', 'acme_internal']],
  );
  assert.match(report.unresolved[0]!.reason ?? '', /--assume-unknown-distributions/);
  const assumed = await analyzeRequirements(notebook, { assumeUnknownDistributions: true });
  assert.deepEqual(assumed.requirements, ['acme_internal', 'my-private-pkg', 'numpy', 'python-Levenshtein']);
  assert.deepEqual(assumed.unresolved, []);
});

test('the CLI leaves unknown names out of requirements.txt and --assume-unknown-distributions puts them in', async () => {
  const dir = tempDir('kagg-unknown-');
  const file = path.join(dir, 'nb.ipynb');
  await writeFile(file, JSON.stringify(notebookOf(['import pandas as pd\nimport acme_internal'])));
  const plain = runPreprocessCli([file, '--requirements-out', '-']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, `# Derived by kagg preprocess from ${file}\npandas\n`);
  assert.match(plain.stderr, /unresolved: cell 0 line 2: import acme_internal \(acme_internal is neither/);
  const assumed = runPreprocessCli([file, '--requirements-out', '-', '--assume-unknown-distributions']);
  assert.equal(assumed.status, 0, assumed.stderr);
  assert.equal(assumed.stdout, `# Derived by kagg preprocess from ${file}\nacme_internal\npandas\n`);
});

test('the deploy hook never adds an unknown name, and says so unless requirements.txt names it', async () => {
  const config = await Config.load({ root: PLUGIN_ROOT });
  const transform = async (directory?: string) => {
    const notebook = notebookOf(['import requests\nimport acme_internal']);
    const result = await runKaggHook(config, hooks.transform, {
      notebook,
      source: 'nb.ipynb',
      ...(directory ? { directory } : {}),
    });
    return result.successes[0]!.result!;
  };
  const out = await transform();
  assert.deepEqual(out.requirements, ['requests']);
  assert.ok(
    out.warnings!.some((w) => /cell 0 line 2: `import acme_internal` is not installed/.test(w)),
    out.warnings!.join('\n'),
  );
  const dir = tempDir('kagg-declared-');
  await writeFile(path.join(dir, 'requirements.txt'), '# ours\nacme-internal==2.1\n');
  const declared = await transform(dir);
  assert.deepEqual(declared.requirements, ['requests']);
  assert.ok(!declared.warnings!.some((w) => w.includes('acme_internal')), declared.warnings!.join('\n'));
});

test('pip upgrading itself (and setuptools, wheel) is not a requirement, in the plugin and in conversion', async () => {
  const notebook = notebookOf([
    '!pip install --upgrade pip',
    '%pip install -qU pip setuptools wheel',
    '!python -m pip install -U pip && pip install lightgbm==4.3.0',
    '!pip install setuptools==69.5.1',
    'import lightgbm\n\ndef process_request(payload):\n    return payload',
  ]);
  const report = await analyzeRequirements(notebook);
  assert.deepEqual(report.requirements, ['lightgbm==4.3.0', 'setuptools==69.5.1']);
  const conversion = convertNotebook(readNotebook(JSON.stringify(notebook), 'nb.ipynb'));
  assert.deepEqual(conversion.requirements, ['lightgbm==4.3.0', 'setuptools==69.5.1']);
});

test('a front-end module used by deployed code is required; display-only use stays optional', async () => {
  const built = await analyzeRequirements(
    notebookOf([
      'import ipywidgets as widgets\nfrom IPython.display import display',
      'slider = widgets.IntSlider(value=3)\ndisplay(slider)',
    ]),
  );
  assert.deepEqual(built.requirements, ['ipywidgets']);
  assert.deepEqual(
    built.optional.map((r) => [r.line, r.reason]),
    [['ipython', 'notebook display only']],
  );

  const decorated = await analyzeRequirements(
    notebookOf(['from ipywidgets import interact\n\n@interact(x=(0, 10))\ndef show(x):\n    return x * 2']),
  );
  assert.deepEqual(decorated.requirements, ['ipywidgets']);

  const displayOnly = await analyzeRequirements(
    notebookOf([
      'import ipywidgets as w\nfrom IPython.display import display, HTML, clear_output',
      'display(HTML("<b>done</b>"))\nclear_output()',
      SKIPPED('w.IntSlider()'),
    ]),
    { skipTags: ['skip-deploy'] },
  );
  assert.deepEqual(displayOnly.requirements, []);
  assert.deepEqual(
    displayOnly.optional.map((r) => r.line),
    ['ipython', 'ipywidgets'],
  );
});
