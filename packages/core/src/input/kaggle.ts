/**
 * Kaggle kernels as deploy inputs: `owner/slug`, a bare slug (yours), or a kaggle.com/code URL.
 * The Kaggle client is loaded only when an input looks like a kernel and is not a local path.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isKaggError, KaggError, messageOf } from '../errors/index.js';
import type { KaggleResolver, ResolvedNotebook } from './types.js';

export const kaggleResolver: KaggleResolver = async (input) => {
  const kaggle = await import('../kaggle/index.js');
  const ref = kaggle.parseKernelRef(input);
  if (!ref) return undefined;
  const client = kaggle.createKaggleClient();
  let kernel: Awaited<ReturnType<typeof kaggle.fetchKernelNotebook>>;
  try {
    kernel = await kaggle.fetchKernelNotebook(client, ref);
  } catch (error) {
    const local = /^https?:/i.test(input) ? '' : ' is not a local file or folder, and';
    throw new KaggError(`"${input}"${local} as a Kaggle kernel: ${messageOf(error)}`, {
      code: isKaggError(error) ? error.code : 'KAGGLE_FAILED',
      ...(isKaggError(error) && error.action ? { action: error.action } : {}),
      exitCode: isKaggError(error) ? error.exitCode : 1,
    });
  }
  const full = kaggle.formatRef(kernel.ref);
  if (!kernel.fileName.endsWith('.ipynb')) {
    throw new KaggError(
      `the Kaggle kernel ${full} is a ${kernel.language} ${kernel.kernelType}, not a Python notebook`,
      {
        code: 'KAGGLE_NOT_A_NOTEBOOK',
        exitCode: 2,
      },
    );
  }
  const resolved: ResolvedNotebook = {
    text: kernel.text,
    source: `kaggle:${full}`,
    kind: 'kaggle',
    suggestedName: kernel.ref.slug
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .slice(0, 63),
    outputs: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'kagg-outputs-'));
      try {
        const result = await kaggle.downloadKernelOutputs(client, kernel.ref, dir, { log: false });
        const failed = result.files.filter((f) => f.outcome === 'failed' || f.outcome === 'refused');
        if (failed.length > 0) {
          throw new KaggError(
            `could not bundle the outputs of ${full}: ${failed.map((f) => `${f.fileName} (${f.error ?? f.outcome})`).join(', ')}`,
            { code: 'KAGGLE_OUTPUTS_FAILED' },
          );
        }
        const files = [];
        for (const f of result.files) {
          if (f.path) files.push({ path: f.fileName, data: new Uint8Array(await readFile(f.path)) });
        }
        return files;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
  return resolved;
};
