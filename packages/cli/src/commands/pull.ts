import { KaggCommand } from '@kagg/core/command';
import { KaggError } from '@kagg/core/errors';
import {
  createKaggleClient,
  failureActions,
  kernelIdFromFolder,
  type PullManyResult,
  pickKernel,
  pullKernels,
  requireKernelRef,
} from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class Pull extends KaggCommand<PullManyResult> {
  static override summary = "Download kernels' code (and kernel-metadata.json) from Kaggle.";
  static override description =
    `Writes each kernel's code file as the official CLI names it (<slug>.ipynb, <slug>.py, <slug>.R, …); with --metadata also kernel-metadata.json, ready for \`kagg push\`.
Default folder, as the official CLI: the current folder, or <root>/kernels/<owner>/<slug> when KAGGLE_PATH or "path" in kaggle.json sets a root. With --path and one kernel, files go straight into that folder (or into that file, when --path names an existing file); with several kernels, into <path>/<owner>/<slug>.
REF is owner/slug, owner/slug/N (version N), a bare slug (one of yours) or https://www.kaggle.com/code/owner/slug. With no REF: the "id" of kernel-metadata.json in the folder, else a picker on a terminal.`;
  static override examples = [
    '<%= config.bin %> pull alice/titanic-model --metadata',
    '<%= config.bin %> pull alice/titanic-model/3 -p ./v3',
    '<%= config.bin %> pull -p ./kernels/alice/titanic-model   # the kernel named in its kernel-metadata.json',
    '<%= config.bin %> pull https://www.kaggle.com/code/alice/titanic-model --path ./titanic',
    '<%= config.bin %> pull alice/a-kernel bob/b-kernel --path ./kernels --parallel 4 --json',
  ];
  static override strict = false;
  static override args = {
    ref: Args.string({
      description: 'Kernel refs or Kaggle URLs (one or more; none: pick one from a list, on a terminal).',
    }),
  };
  static override flags = {
    path: Flags.string({ char: 'p', summary: 'Folder to write into (or an existing file to overwrite).' }),
    wp: Flags.boolean({
      char: 'w',
      summary: 'Write into the current folder (official CLI flag).',
      exclusive: ['path'],
    }),
    kernel: Flags.string({ char: 'k', summary: 'The kernel (the official CLI spelling of REF).', hidden: true }),
    metadata: Flags.boolean({ char: 'm', summary: 'Also write kernel-metadata.json.' }),
    parallel: Flags.integer({ summary: 'Kernels pulled at once.', default: 4, min: 1, max: 32 }),
  };

  async run(): Promise<PullManyResult> {
    const { argv, flags } = await this.parse(Pull);
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
    });
    const folder = flags.wp ? '.' : flags.path;
    const given = [...(argv as string[]), ...(flags.kernel ? [flags.kernel] : [])];
    if (given.length === 0) {
      const fromMetadata = await kernelIdFromFolder(folder ?? '.');
      if (fromMetadata) this.info(`Using kernel ${fromMetadata} (from kernel-metadata.json)`);
      given.push(
        fromMetadata ?? (await pickKernel(client, { command: 'pull', argument: 'REF', json: this.jsonEnabled() })),
      );
    }
    const refs = given.map(requireKernelRef);
    this.progress.stage(`Pulling ${refs.length} kernel${refs.length === 1 ? '' : 's'}`);
    const result = await pullKernels(client, refs, {
      path: folder,
      metadata: flags.metadata,
      parallel: flags.parallel,
    });
    this.progress.stop();
    for (const k of result.kernels) {
      for (const w of k.warnings) this.warning(w);
      this.info(`Pulled ${k.ref} → ${k.codeFile}${k.metadataFile ? ` (+ ${k.metadataFile})` : ''}`);
      this.out(k.codeFile);
    }
    if (result.failures.length > 0) {
      if (result.failures.length === 1 && result.kernels.length === 0) {
        const only = result.failures[0];
        throw new KaggError(only?.error ?? 'pull failed', {
          code: only?.code ?? 'FAILED',
          ...(only?.action ? { action: only.action } : {}),
          details: { ...result },
        });
      }
      throw new KaggError(
        `${result.failures.length} of ${refs.length} kernels could not be pulled:\n  ${result.failures.map((f) => `${f.ref}: ${f.error}`).join('\n  ')}`,
        {
          code: 'KAGGLE_PULL_FAILED',
          action: failureActions(result.failures) ?? 'Run the same command again for the kernels that failed.',
          details: { ...result },
        },
      );
    }
    return result;
  }
}
