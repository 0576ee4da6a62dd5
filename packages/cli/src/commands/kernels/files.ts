import { KaggCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import { createKaggleClient, type KernelFilesResult, listKernelFiles, requireKernelRef } from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class KernelsFiles extends KaggCommand<KernelFilesResult> {
  static override summary = "List a kernel's files (as `kaggle kernels files`).";
  static override examples = [
    '<%= config.bin %> kernels files alice/titanic-model',
    '<%= config.bin %> kernels files alice/titanic-model --json',
  ];
  static override args = { ref: Args.string({ description: 'Kernel ref or Kaggle URL.' }) };
  static override flags = {
    kernel: Flags.string({ char: 'k', summary: 'The kernel (the official CLI spelling of REF).', hidden: true }),
    'page-size': Flags.integer({ summary: 'Files per page.', min: 1 }),
    'page-token': Flags.string({ summary: 'The page to show (from a previous answer).' }),
  };

  async run(): Promise<KernelFilesResult> {
    const { args, flags } = await this.parse(KernelsFiles);
    const ref = args.ref ?? flags.kernel;
    if (!ref) throw usageError('Give the kernel: kagg kernels files <owner/slug>');
    const result = await listKernelFiles(
      createKaggleClient({ onWarning: (m) => this.warning(m) }),
      requireKernelRef(ref),
      {
        ...(flags['page-size'] ? { pageSize: flags['page-size'] } : {}),
        ...(flags['page-token'] ? { pageToken: flags['page-token'] } : {}),
      },
    );
    for (const f of result.files) this.out(`${f.name}\t${f.size}\t${f.creationDate}`);
    if (result.files.length === 0) this.info('No files found.');
    if (result.nextPageToken) this.info(`Next page token: ${result.nextPageToken}`);
    return result;
  }
}
