import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeRequirements, DISTRIBUTION_TABLE_SIZE, distributionFor } from '@kagg/plugin-preprocess';
import { tempDir } from '@kagg/testkit/temp';
import { notebookOf } from './helpers/notebooks.ts';

test('aliases, from-imports, dotted and nested imports map to distributions', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'import numpy as np\nimport matplotlib.pyplot as plt\nfrom sklearn.ensemble import RandomForestClassifier\nimport os, sys, json',
      'from PIL import Image\nimport cv2\n\ndef load(path):\n    import yaml\n    return yaml.safe_load(open(path))',
      'class Scraper:\n    def parse(self, html):\n        from bs4 import BeautifulSoup\n        return BeautifulSoup(html, "lxml")',
      'from dateutil import parser as dp\nimport skimage.io\nimport umap\nimport faiss\nimport fitz\nimport docx\nimport attr\nimport pkg_resources',
      '# a comment mentioning import pandas\nx = "import seaborn"',
    ]),
  );
  assert.deepEqual(report.requirements, [
    'attrs',
    'beautifulsoup4',
    'faiss-cpu',
    'matplotlib',
    'numpy',
    'opencv-python',
    'Pillow',
    'PyMuPDF',
    'python-dateutil',
    'python-docx',
    'PyYAML',
    'scikit-image',
    'scikit-learn',
    'setuptools',
    'umap-learn',
  ]);
  assert.deepEqual(report.stdlib, ['json', 'os', 'sys']);
  assert.deepEqual(report.optional, []);
});

test('guarded imports are optional; one unguarded use makes them required', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'try:\n    import ujson as json\nexcept ImportError:\n    import json',
      'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import polars as pl',
      'import contextlib\nwith contextlib.suppress(ModuleNotFoundError):\n    import orjson',
      'import torch\nif torch.cuda.is_available():\n    import cupy as cp',
      'try:\n    import lightgbm\nexcept Exception:\n    lightgbm = None\nimport lightgbm',
      'try:\n    import xgboost\nexcept:\n    pass',
    ]),
  );
  assert.deepEqual(report.requirements, ['lightgbm', 'torch']);
  assert.deepEqual(
    report.optional.map((r) => [r.line, r.reason]),
    [
      ['cupy-cuda12x', 'if torch.cuda.is_available()'],
      ['orjson', 'suppress(ImportError)'],
      ['polars', 'if TYPE_CHECKING'],
      ['ujson', 'try/except ImportError'],
      ['xgboost', 'try/except ImportError'],
    ],
  );
});

test('every pip install form is collected, with pins only from the notebook', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      '!pip install -q lightgbm==4.3.0',
      '%pip install "transformers>=4.40" datasets',
      '!{sys.executable} -m pip install --upgrade catboost',
      '!python -m pip install -U xgboost==2.0.3',
      '!pip3 install timm && echo done',
      '%%capture\n!pip install optuna\nimport optuna',
      '%%bash\npip install shap==0.45.0 \\\n  lifelines',
      'import subprocess, sys\nsubprocess.check_call([sys.executable, "-m", "pip", "install", "ftfy==6.2.0"])',
      'import os\nos.system("pip install rapidfuzz")',
      '!pip install seaborn>=0.13',
      'import lightgbm as lgb\nimport transformers\nimport xgboost as xgb\nimport seaborn as sns\nimport sklearn',
      '!pip install scikit-learn==1.4.2',
    ]),
  );
  assert.deepEqual(report.requirements, [
    'catboost',
    'datasets',
    'ftfy==6.2.0',
    'lifelines',
    'lightgbm==4.3.0',
    'optuna',
    'rapidfuzz',
    'scikit-learn==1.4.2',
    'seaborn',
    'shap==0.45.0',
    'timm',
    'transformers>=4.40',
    'xgboost==2.0.3',
  ]);
  assert.ok(report.warnings.some((w) => w.includes('seaborn') && w.includes('redirect')));
});

test('magics are masked, Python cell magics parsed, %%writefile modules are local', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      '%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nfiles = !ls /kaggle/input\ndf?\nimport pandas as pd',
      '%%time\nimport scipy.stats as st\nst.norm.ppf(0.975)',
      '%%writefile utils.py\nimport requests\n\ndef fetch(url):\n    return requests.get(url).json()',
      'from utils import fetch\nimport utils',
      '%%html\n<script>import x from "y"</script>',
      '%%sql\nSELECT * FROM t',
      '%%bash\nls -la\necho import nothing',
      'x = %env HOME\nimport tqdm',
    ]),
  );
  assert.deepEqual(report.requirements, ['pandas', 'requests', 'scipy', 'tqdm']);
  assert.deepEqual(report.local, ['utils']);
});

test('files next to the notebook and relative imports are local', async () => {
  const dir = tempDir('kagg-req-');
  await writeFile(path.join(dir, 'helpers.py'), 'X = 1\n');
  await mkdir(path.join(dir, 'mypkg'));
  await writeFile(path.join(dir, 'mypkg', '__init__.py'), '');
  const report = await analyzeRequirements(
    notebookOf(['import helpers\nfrom mypkg.sub import thing\nfrom . import sibling\nimport tqdm']),
    { directory: dir },
  );
  assert.deepEqual(report.requirements, ['tqdm']);
  assert.deepEqual(report.local, ['.', 'helpers', 'mypkg']);
});

test('a notebook that imports only the standard library needs nothing', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'from __future__ import annotations\nimport os, sys, json, re, math\nimport collections.abc\nfrom itertools import chain',
      'import typing, pathlib, dataclasses, functools, tomllib, zoneinfo, graphlib, asyncio, sqlite3, urllib.request',
    ]),
  );
  assert.deepEqual(report.requirements, []);
  assert.deepEqual(report.optional, []);
  assert.deepEqual(report.warnings, []);
});

test('runtime-only modules are never requirements', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'from kaggle_secrets import UserSecretsClient\nfrom kaggle_datasets import KaggleDatasets\nfrom google.colab import userdata\nimport google.colab',
      'from google import colab',
    ]),
  );
  assert.deepEqual(report.requirements, []);
  assert.deepEqual(report.runtimeOnly, ['google.colab', 'kaggle_datasets', 'kaggle_secrets']);
});

test('Google and Azure namespace packages resolve on their full names', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'from google.cloud import bigquery, secretmanager\nimport google.generativeai as genai\nfrom google.oauth2 import service_account\nfrom googleapiclient.discovery import build\nfrom google.protobuf import json_format',
      'from azure.storage.blob import BlobServiceClient\nfrom azure.identity import DefaultAzureCredential',
    ]),
  );
  assert.deepEqual(report.requirements, [
    'azure-identity',
    'azure-storage-blob',
    'google-api-python-client',
    'google-auth',
    'google-cloud-bigquery',
    'google-cloud-secret-manager',
    'google-generativeai',
    'protobuf',
  ]);
});

test('dynamic imports: literals are required, computed names unresolved', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      'import importlib\nmetrics = importlib.import_module("sklearn.metrics")\nmod = importlib.import_module(name)\nexec("import foo")\n__import__("joblib")',
    ]),
  );
  assert.deepEqual(report.requirements, ['joblib', 'scikit-learn']);
  assert.deepEqual(
    report.unresolved.map((u) => [u.cell, u.line]),
    [
      [0, 3],
      [0, 4],
    ],
  );
});

test('the standard library depends on the target Python', async () => {
  const notebook = notebookOf(['import imghdr\nimport distutils.util']);
  assert.deepEqual((await analyzeRequirements(notebook, { python: '3.11' })).requirements, []);
  const on313 = await analyzeRequirements(notebook, { python: '3.13' });
  assert.deepEqual(on313.requirements, ['setuptools']);
  assert.deepEqual(
    on313.unresolved.map((u) => u.text),
    ['import imghdr'],
  );
  assert.ok(on313.warnings.some((w) => w.includes('imghdr is not in Python 3.13')));
});

test('cells tagged skip-deploy add no requirement but their pins still apply', async () => {
  const report = await analyzeRequirements(
    notebookOf([
      {
        cell_type: 'code',
        metadata: { tags: ['skip-deploy'] },
        outputs: [],
        execution_count: null,
        source: '!pip install lightgbm==4.3.0 plotly\nimport plotly.express as px',
      },
      'import lightgbm',
    ]),
    { skipTags: ['skip-deploy'] },
  );
  assert.deepEqual(report.requirements, ['lightgbm==4.3.0']);
});

test('the distribution table has at least 300 entries and every gotcha of reference §4.5', () => {
  assert.ok(DISTRIBUTION_TABLE_SIZE >= 300, `${DISTRIBUTION_TABLE_SIZE} entries`);
  const gotchas: Array<[string, string]> = [
    ['sklearn', 'scikit-learn'],
    ['cv2', 'opencv-python'],
    ['PIL', 'Pillow'],
    ['yaml', 'PyYAML'],
    ['bs4', 'beautifulsoup4'],
    ['skimage', 'scikit-image'],
    ['dateutil', 'python-dateutil'],
    ['dotenv', 'python-dotenv'],
    ['attr', 'attrs'],
    ['umap', 'umap-learn'],
    ['faiss', 'faiss-cpu'],
    ['fitz', 'PyMuPDF'],
    ['docx', 'python-docx'],
    ['pkg_resources', 'setuptools'],
    ['google.cloud.bigquery', 'google-cloud-bigquery'],
    ['google.oauth2', 'google-auth'],
    ['google.auth', 'google-auth'],
    ['google.generativeai', 'google-generativeai'],
    ['googleapiclient', 'google-api-python-client'],
    ['huggingface_hub', 'huggingface-hub'],
    ['slack_sdk', 'slack-sdk'],
  ];
  for (const [name, distribution] of gotchas) {
    assert.equal(distributionFor(name.split('.'))?.distribution, distribution, name);
  }
  assert.deepEqual(distributionFor(['cv2'])?.alternatives.sort(), [
    'opencv-contrib-python',
    'opencv-contrib-python-headless',
    'opencv-python',
    'opencv-python-headless',
  ]);
});

test('an installed alternative distribution replaces the default one', async () => {
  const report = await analyzeRequirements(
    notebookOf(['!pip install opencv-python-headless==4.9.0.80 faiss-gpu\nimport cv2, faiss']),
  );
  assert.deepEqual(report.requirements, ['faiss-gpu', 'opencv-python-headless==4.9.0.80']);
});
