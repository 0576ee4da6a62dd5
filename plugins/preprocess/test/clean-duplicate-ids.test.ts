/**
 * A cleaned notebook is valid nbformat 4.5 even when its input was not: cell ids repeated by a bad
 * merge or a copy-paste are made unique (the first keeps its id; nbformat 4.5 requires unique ids,
 * though nbformat's reader quietly repairs them), and nbformat accepts the result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanNotebook, serializeNotebook } from '@kagg/plugin-preprocess';
import { notebookOf } from './helpers/notebooks.ts';
import { nbformatRoundTrip } from './helpers/python.ts';

test('duplicate cell ids are made unique, and nbformat validates the cleaned notebook', () => {
  const doc = notebookOf(['a = 1', 'b = 2', 'c = 3', 'd = 4']);
  const ids = ['same', 'same', 'cell-2', 'same'];
  doc.cells.forEach((cell, k) => {
    cell.id = ids[k];
  });

  const cleaned = cleanNotebook(doc).notebook;
  const out = cleaned.cells.map((c) => c.id as string);
  assert.equal(new Set(out).size, out.length, `unique ids: ${out.join(', ')}`);
  assert.equal(out[0], 'same', 'the first cell keeps its id');
  assert.equal(out[2], 'cell-2', 'a unique id is kept');
  const checked = nbformatRoundTrip(serializeNotebook(cleaned));
  assert.equal(checked.valid, true, checked.error);
});
