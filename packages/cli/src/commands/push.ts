import { KaggCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import { createKaggleClient, type PushResult, pushKernel } from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class Push extends KaggCommand<PushResult> {
  static override summary = 'Upload a kernel to Kaggle: a new version of it, which Kaggle then runs.';
  static override description =
    `INPUT is a folder holding kernel-metadata.json (as \`kagg pull --metadata\` writes it), or a notebook/script file.
A file without kernel-metadata.json gets metadata made for it: your user name as owner, a title from the file name and the slug from that title; pushing it again makes a new version of the same kernel.
kernel-metadata.json is checked before anything is sent, with a message for each wrong field.
The official CLI's spellings work too: -p/--path DIR for INPUT, -t/--timeout for --session-timeout.`;
  static override examples = [
    '<%= config.bin %> push ./kernels/alice/titanic-model',
    '<%= config.bin %> push analysis.ipynb',
    '<%= config.bin %> push ./my-kernel --accelerator NvidiaTeslaT4 --json',
  ];
  static override args = {
    input: Args.string({
      description: 'Folder with kernel-metadata.json, or a notebook/script (default: -p, else .).',
    }),
  };
  static override flags = {
    accelerator: Flags.string({ summary: 'Machine shape, e.g. NvidiaTeslaT4 (overrides machine_shape).' }),
    'session-timeout': Flags.integer({
      summary: 'Longest run time Kaggle allows the session, in seconds.',
      min: 1,
      char: 't',
      aliases: ['timeout'],
    }),
    path: Flags.string({ char: 'p', summary: 'The folder to push (the official CLI spelling of INPUT).' }),
  };

  async run(): Promise<PushResult> {
    const { args, flags } = await this.parse(Push);
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
    });
    if (args.input && flags.path && args.input !== flags.path)
      throw usageError(`Give the folder once: INPUT "${args.input}" and --path "${flags.path}" differ.`);
    const input = args.input ?? flags.path ?? '.';
    this.progress.stage(`Pushing ${input}`);
    const result = await pushKernel(client, input, {
      machineShape: flags.accelerator,
      sessionTimeoutSeconds: flags['session-timeout'],
    });
    this.progress.stop();
    for (const w of result.warnings) this.warning(w);
    this.info(
      `Kernel version ${result.versionNumber ?? '?'} of ${result.ref} successfully pushed. Please check progress at ${result.url}`,
    );
    this.out(result.url);
    return result;
  }
}
