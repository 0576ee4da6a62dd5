import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { deployableCells, notebookFromDocument, readNotebook, serializeNotebook } from '@kagg/core/notebook';
import { thrown } from './helpers.ts';

const fixtures = new URL('./fixtures/notebooks/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8');

describe('readNotebook', () => {
  it('normalises cells: joined source, tags, ids, outputs', () => {
    const nb = readNotebook(fixture('pm-basic.ipynb'), 'pm-basic.ipynb');
    assert.equal(nb.source, 'pm-basic.ipynb');
    assert.equal(nb.document.nbformat, 4);
    assert.deepEqual(
      nb.cells.map((cell) => [cell.index, cell.type, cell.tags]),
      [
        [0, 'markdown', []],
        [1, 'code', []],
        [2, 'code', ['skip-deploy']],
        [3, 'code', []],
      ],
    );
    assert.equal(nb.cells[1]!.source, 'import json\n\nOFFSET = 0');
    assert.equal(nb.cells[1]!.id, 'pm-basic-1');
    assert.deepEqual(nb.cells[1]!.outputs, []);
    assert.deepEqual(
      deployableCells(nb).map((cell) => cell.index),
      [1, 3],
    );
  });

  it('accepts a string source, missing ids, metadata and outputs', () => {
    const nb = readNotebook(
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 2,
        metadata: {},
        cells: [
          { cell_type: 'code', source: 'x = 1\ny = 2' },
          { cell_type: 'raw', source: ['a\n', 'b'], metadata: { tags: ['t', 3] } },
        ],
      }),
      'mem.ipynb',
    );
    assert.deepEqual(
      nb.cells.map((cell) => [cell.id, cell.source, cell.tags]),
      [
        ['cell-0', 'x = 1\ny = 2', []],
        ['cell-1', 'a\nb', ['t']],
      ],
    );
  });

  it('strips a byte-order mark', () => {
    const nb = readNotebook(
      `\uFEFF${JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] })}`,
      'b',
    );
    assert.deepEqual(nb.cells, []);
  });

  it('reports broken JSON with the source and line:column', () => {
    const error = thrown(() => readNotebook(fixture('invalid.ipynb'), 'invalid.ipynb'));
    assert.equal(error.code, 'NOTEBOOK_INVALID_JSON');
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /invalid\.ipynb/);
    // The missing comma is noticed at the start of line 6 ("metadata"), column 4.
    assert.match(error.message, /line 6:4/);
  });

  it('reports truncated JSON at its end, saying it was cut', () => {
    const error = thrown(() => readNotebook('{\n "cells": [', 'cut.ipynb'));
    assert.equal(error.code, 'NOTEBOOK_INVALID_JSON');
    assert.match(error.message, /cut\.ipynb is not valid JSON at line 2:12: it ends in the middle/);
  });

  it('says a text file is not a notebook, what it starts with, and what kagg takes; no JSON.parse text', () => {
    const error = thrown(() => readNotebook('hello world\nsecond line\n', 'notes.txt'));
    assert.equal(error.code, 'NOTEBOOK_NOT_JSON');
    assert.equal(error.message, 'notes.txt is not a notebook: it is not JSON (it starts with "hello world")');
    assert.match(error.action ?? '', /kagg deploys \.ipynb notebooks, folders holding one/);
    assert.equal(
      thrown(() => readNotebook('  \n', 'empty.ipynb')).message,
      'empty.ipynb is not a notebook: it is not JSON (it is empty)',
    );
  });

  it('gives no line when Node does not say where, rather than a wrong one, and never quotes the file', () => {
    const error = thrown(() => readNotebook('{"cells": [x]}', 'x.ipynb'));
    assert.equal(error.code, 'NOTEBOOK_INVALID_JSON');
    assert.doesNotMatch(error.message, /is not valid JSON$|\[x\]/);
    assert.match(error.message, /^x\.ipynb is not valid JSON(?: at line 1:\d+)?: /);
  });

  it('a JSON object that is not a notebook gets an action', () => {
    const error = thrown(() => readNotebook('{"cells": 5}', 'odd.ipynb'));
    assert.equal(error.code, 'NOTEBOOK_INVALID');
    assert.match(error.action ?? '', /check that this is the file you meant/);
  });

  it('refuses nbformat 3 with the version and how to upgrade', () => {
    const error = thrown(() => readNotebook(fixture('nbformat3.ipynb'), 'old.ipynb'));
    assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_FORMAT');
    assert.match(error.message, /old\.ipynb/);
    assert.match(error.message, /nbformat 3/);
    assert.match(error.message, /jupyter nbconvert --to notebook --nbformat 4/);
  });

  const notNotebooks: Array<[string, unknown, RegExp]> = [
    ['an array', [], /not a JSON object/],
    ['no nbformat', { cells: [] }, /nbformat/],
    ['no cells', { nbformat: 4, nbformat_minor: 0, metadata: {} }, /"cells"/],
    ['cells not a list', { nbformat: 4, cells: {} }, /"cells"/],
    ['a bad cell type', { nbformat: 4, cells: [{ cell_type: 'heading', source: '' }] }, /cell 0\.cell_type/],
    ['a bad source', { nbformat: 4, cells: [{ cell_type: 'code', source: 3 }] }, /cell 0\.source/],
    ['a bad tags list', { nbformat: 4, cells: [{ cell_type: 'code', source: '', metadata: { tags: 'x' } }] }, /tags/],
    ['a cell that is not an object', { nbformat: 4, cells: ['x'] }, /cell 0 is not an object/],
  ];
  for (const [what, value, pattern] of notNotebooks) {
    it(`refuses ${what} as NOTEBOOK_INVALID`, () => {
      const error = thrown(() => readNotebook(JSON.stringify(value), 'x.ipynb'));
      assert.equal(error.code, 'NOTEBOOK_INVALID');
      assert.match(error.message, /x\.ipynb/);
      assert.match(error.message, pattern);
    });
  }

  it('round-trips a document through serializeNotebook and notebookFromDocument', () => {
    const nb = readNotebook(fixture('params-basic.ipynb'), 'p.ipynb');
    const again = notebookFromDocument(JSON.parse(serializeNotebook(nb.document)), 'p.ipynb');
    assert.deepEqual(again.cells, nb.cells);
    assert.ok(serializeNotebook(nb.document).endsWith('}\n'));
  });
});
