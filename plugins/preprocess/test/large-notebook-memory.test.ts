import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@kagg/testkit/temp';
import { PLUGIN_ROOT } from './helpers/cli.ts';
import { rand, reseed } from './helpers/samples.ts';

/** Streams a notebook of about `megabytes` MB, almost all of it base64 PNG outputs. */
async function writeImageNotebook(file: string, megabytes: number): Promise<void> {
  reseed(99);
  const image = `iVBORw0KGgo${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 500_000)}=`;
  const out = createWriteStream(file);
  const write = (text: string) =>
    new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  await write(
    '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}}, "cells": [',
  );
  const cells = Math.ceil((megabytes * 1_000_000) / image.length);
  for (let k = 0; k < cells; k++) {
    const cell = {
      cell_type: 'code',
      id: `c${k}`,
      execution_count: k + 1,
      metadata: {},
      source: [`plt.plot(x, y${k})\n`, 'plt.show()'],
      outputs: [
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': image, 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
        },
      ],
    };
    await write(`${k === 0 ? '' : ','}${JSON.stringify(cell)}`);
  }
  await write(']}');
  await new Promise((resolve) => out.end(resolve));
}

test('a 50 MB notebook full of images is scanned, stripped and cleaned in bounded memory', async () => {
  const dir = tempDir('kagg-large-');
  const file = path.join(dir, 'images.ipynb');
  await writeImageNotebook(file, 50);
  const size = (await stat(file)).size;
  assert.ok(size >= 50_000_000, `${size} bytes`);
  // Bounded memory as a hard limit, not a measured peak (a peak moves with GC timing and the machine's
  // load): the V8 heap may not grow past four times the file, or the child dies of it. The file is read
  // once and parsed once; images are never copied for scanning.
  const heapMb = Math.ceil((4 * size) / 1_000_000);
  const script = `
    import { readFile, writeFile } from 'node:fs/promises';
    import { preprocess } from '@kagg/plugin-preprocess';
    const text = await readFile(process.argv[1], 'utf8');
    const result = await preprocess(text, process.argv[1], { clean: true, strip: true, scan: true });
    await writeFile(process.argv[1] + '.out', result.text);
    process.stdout.write(JSON.stringify({ findings: result.findings.length }));
  `;
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--input-type=module', '-e', script, file],
    {
      cwd: PLUGIN_ROOT,
      encoding: 'utf8',
      timeout: 100_000,
    },
  );
  assert.equal(run.status, 0, `within a ${heapMb} MB heap: ${run.stderr.slice(-2000)}`);
  assert.equal(JSON.parse(run.stdout).findings, 0);
  const stripped = await readFile(`${file}.out`, 'utf8');
  assert.ok(stripped.length < 50_000);
  assert.ok(!stripped.includes('image/png'));
});
