import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { cleanNotebook, preprocess, serializeNotebook, stripOutputs } from '@kagg/plugin-preprocess';
import { nbformatRoundTrip } from './helpers/python.ts';

/** A notebook as Kaggle and papermill leave it: widget state, papermill parameters, editor keys. */
function messyNotebook(): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python', env: { X: '1' } },
      language_info: { name: 'python', version: '3.10.12', codemirror_mode: { name: 'ipython', version: 3 } },
      kaggle: {
        accelerator: 'gpu',
        dataSources: [{ sourceId: 3136, sourceType: 'competition' }],
        isInternetEnabled: true,
      },
      papermill: { parameters: { api_key: 'k' }, duration: 12.5, input_path: 'a.ipynb' },
      widgets: { 'application/vnd.jupyter.widget-state+json': { state: {}, version_major: 2, version_minor: 0 } },
      vscode: { interpreter: { hash: 'abc' } },
      toc: { number_sections: true },
    },
    cells: [
      {
        cell_type: 'markdown',
        id: 'md-1',
        metadata: { jp: 1, tags: ['intro'] },
        source: ['# Title\n', 'Text ünïcödé\n'],
      },
      {
        cell_type: 'code',
        id: 'param',
        execution_count: 3,
        metadata: {
          tags: ['parameters'],
          papermill: { status: 'completed' },
          ExecuteTime: { start: 't' },
          collapsed: false,
        },
        outputs: [{ output_type: 'stream', name: 'stdout', text: ['a\n', 'b\n'] }],
        source: 'alpha = 0.5\nn = 10',
      },
      {
        cell_type: 'code',
        id: 'plot',
        execution_count: 4,
        metadata: { tags: ['keep_output'], scrolled: true },
        outputs: [
          {
            output_type: 'execute_result',
            execution_count: 4,
            metadata: {},
            data: { 'text/plain': '<Figure>', 'image/png': 'iVBORw0KGgo=', 'text/html': '<b>x</b>\n<i>y</i>' },
            transient: { display_id: 'd1' },
          },
        ],
        source: 'plot()',
      },
      { cell_type: 'code', id: 'empty', execution_count: 5, metadata: {}, outputs: [], source: '   \n' },
      { cell_type: 'raw', id: 'r', metadata: { format: 'text/x-python' }, source: 'raw text' },
    ],
  };
}

const doc = (): NotebookDocument => messyNotebook() as unknown as NotebookDocument;

test('cleaning keeps only the allowlist and reports what it removed', () => {
  const { notebook, removed } = cleanNotebook(doc());
  assert.deepEqual(notebook.metadata, {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
    language_info: { name: 'python' },
  });
  for (const path of [
    'metadata.widgets',
    'metadata.papermill',
    'metadata.kaggle',
    'cells[1].metadata.papermill',
    'metadata.language_info.version',
  ]) {
    assert.ok(removed.includes(path), `${path} not reported`);
  }
  assert.deepEqual(notebook.cells[1]!['metadata'], { tags: ['parameters'] });
  assert.deepEqual(notebook.cells[2]!['metadata'], { tags: ['keep_output'] });
  const kept = cleanNotebook(doc(), { keepDataSources: true }).notebook.metadata;
  assert.deepEqual(kept['kaggle'], { dataSources: [{ sourceId: 3136, sourceType: 'competition' }] });
});

test('stripping follows nbstripout: keep_output tag, --keep-count, --drop-empty-cells, renumbered ids', () => {
  const stripped = stripOutputs(doc());
  assert.deepEqual(stripped.cells[1]!['outputs'], []);
  assert.equal(stripped.cells[1]!['execution_count'], null);
  const kept = stripped.cells[2]!['outputs'] as Array<Record<string, unknown>>;
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!['execution_count'], null);
  assert.deepEqual(
    stripped.cells.map((c) => c['id']),
    ['0', '1', '2', '3', '4'],
  );
  assert.equal('widgets' in stripped.metadata, false);
  assert.equal('ExecuteTime' in (stripped.cells[1]!['metadata'] as object), false);

  const counted = stripOutputs(doc(), { keepCount: true, dropEmptyCells: true, keepId: true });
  assert.deepEqual(
    counted.cells.map((c) => c['id']),
    ['md-1', 'param', 'plot', 'r'],
  );
  assert.equal(counted.cells[1]!['execution_count'], 3);
  assert.equal((counted.cells[2]!['outputs'] as Array<Record<string, unknown>>)[0]!['execution_count'], 4);

  const notebookLevel = doc();
  notebookLevel.metadata['keep_output'] = true;
  assert.equal((stripOutputs(notebookLevel).cells[1]!['outputs'] as unknown[]).length, 1);

  const contradiction = doc();
  contradiction.cells[2]!['metadata'] = { tags: ['keep_output'], keep_output: false };
  assert.throws(() => stripOutputs(contradiction), /keep_output/);
});

test('clean + strip gives valid nbformat 4, exactly as nbformat writes it, and a second pass changes no byte', async () => {
  const input = JSON.stringify(messyNotebook());
  const options = { clean: true, strip: { dropEmptyCells: true } } as const;
  const first = await preprocess(input, 'messy.ipynb', options);
  assert.ok(first.changed);
  const again = await preprocess(first.text!, 'messy.ipynb', options);
  assert.equal(again.text, first.text);
  assert.equal(again.changed, false);
  const checked = nbformatRoundTrip(first.text!);
  assert.equal(checked.error, '');
  assert.equal(checked.valid, true);
  assert.equal(checked.written, first.text);
});

test('cleaning alone, and stripping alone, are idempotent and valid', async () => {
  for (const options of [
    { clean: true },
    { strip: true },
    { clean: { keepDataSources: true }, strip: { keepCount: true } },
  ]) {
    const first = await preprocess(JSON.stringify(messyNotebook()), 'messy.ipynb', options);
    const second = await preprocess(first.text!, 'messy.ipynb', options);
    assert.equal(second.text, first.text, JSON.stringify(options));
    const checked = nbformatRoundTrip(first.text!);
    assert.equal(checked.valid, true, checked.error);
  }
});

test('CRLF notebooks keep CRLF; nbformat 4.4 notebooks lose ids they may not have', async () => {
  const crlf = JSON.stringify(messyNotebook(), null, 1).replace(/\n/g, '\r\n');
  const result = await preprocess(crlf, 'crlf.ipynb', { clean: true });
  assert.ok(result.text!.includes('\r\n'));
  assert.ok(!/[^\r]\n/.test(result.text!));
  const old = messyNotebook();
  old['nbformat_minor'] = 4;
  const cleaned = cleanNotebook(old as unknown as NotebookDocument).notebook;
  assert.ok(cleaned.cells.every((cell) => !('id' in cell)));
  assert.equal(nbformatRoundTrip(serializeNotebook(cleaned)).valid, true);
});
