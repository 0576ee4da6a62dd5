import { KaggCommand } from '@kagg/core/command';
import { KaggError, usageError } from '@kagg/core/errors';
import {
  createKaggleClient,
  downloadOutputs,
  failureActions,
  type OutputsResult,
  pickKernel,
  requireKernelRef,
} from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class Output extends KaggCommand<OutputsResult> {
  static override summary = "Download the output files and log of kernels' latest runs.";
  static override description =
    `Fetches every page of the output list, then each file from its signed URL. Files already current (same size, not newer on Kaggle) are skipped unless --force. The log is saved as the official CLI saves it, the raw JSON array in <slug>.log, with the readable text beside it in <slug>.log.txt.
A file name that would leave the target folder (../x, /etc/x) is refused and reported, and the command exits 1.
With one kernel, files go into --path (default: the current folder, or <root>/kernels/<owner>/<slug>/output when KAGGLE_PATH or "path" in kaggle.json sets a root); with several, into <path>/<owner>/<slug>. --parallel caps the requests in flight across all kernels.
REF owner/slug/N takes the output of version N. --page-token fetches that one page of the file list and prints the next token (official CLI).`;
  static override examples = [
    '<%= config.bin %> output alice/titanic-model --path ./out',
    "<%= config.bin %> output alice/titanic-model --file-pattern '\\.csv$'",
    '<%= config.bin %> output alice/a-kernel alice/b-kernel --parallel 8 --json',
  ];
  static override strict = false;
  static override args = {
    ref: Args.string({
      description: 'Kernel refs or Kaggle URLs (one or more; none: pick one from a list, on a terminal).',
    }),
  };
  static override flags = {
    path: Flags.string({ char: 'p', summary: 'Folder to write into (default: the current folder).' }),
    wp: Flags.boolean({
      char: 'w',
      summary: 'Write into the current folder (official CLI flag).',
      exclusive: ['path'],
    }),
    kernel: Flags.string({ char: 'k', summary: 'The kernel (the official CLI spelling of REF).', hidden: true }),
    quiet: Flags.boolean({ char: 'q', summary: 'Print nothing but errors.' }),
    'page-size': Flags.integer({
      summary: 'Output files per request (1 to 200, default 200; more is clamped with a warning).',
      min: 1,
    }),
    'page-token': Flags.string({ summary: 'Fetch only this page of the output list, and print the next token.' }),
    'file-pattern': Flags.string({ summary: 'Only files whose name matches this regular expression.' }),
    force: Flags.boolean({ char: 'o', summary: 'Download files even when they are already current.' }),
    parallel: Flags.integer({ summary: 'Requests in flight at once.', default: 4, min: 1, max: 64 }),
  };

  async run(): Promise<OutputsResult> {
    const { argv, flags } = await this.parse(Output);
    let filePattern: RegExp | undefined;
    if (flags['file-pattern']) {
      try {
        filePattern = new RegExp(flags['file-pattern']);
      } catch (error) {
        throw usageError(`--file-pattern is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
      onDownloadProgress: (p) => this.progress.transfer(p),
    });
    const given = [...(argv as string[]), ...(flags.kernel ? [flags.kernel] : [])];
    const refs = (
      given.length > 0
        ? given
        : [await pickKernel(client, { command: 'output', argument: 'REF', json: this.jsonEnabled() })]
    ).map(requireKernelRef);
    if (!flags.quiet)
      this.progress.stage(`Downloading outputs of ${refs.length} kernel${refs.length === 1 ? '' : 's'}`);
    let pageSize = flags['page-size'];
    if (pageSize !== undefined && pageSize > 200) {
      this.warning(`--page-size ${pageSize} is over the maximum; 200 is used.`);
      pageSize = 200;
    }
    const result = await downloadOutputs(client, refs, {
      path: flags.wp ? '.' : flags.path,
      ...(pageSize ? { pageSize } : {}),
      ...(flags['page-token'] ? { pageToken: flags['page-token'] } : {}),
      filePattern,
      force: flags.force,
      parallel: flags.parallel,
    });
    this.progress.stop();
    const info = (m: string) => {
      if (!flags.quiet) this.info(m);
    };
    for (const k of result.kernels) {
      for (const f of k.files) {
        if (f.outcome === 'written' && f.path && !flags.quiet) this.out(f.path);
        else if (f.outcome === 'skipped') info(`Skipped ${f.fileName} (already current)`);
      }
      if (k.log) info(`Log of ${k.ref} saved to ${k.log} (text: ${k.logText})`);
      if (k.nextPageToken) this.out(`Next page token: ${k.nextPageToken}`);
    }
    info(`${result.written} written, ${result.skipped} skipped, ${result.refused} refused, ${result.failed} failed`);
    const problems = [
      ...result.failures.map((f) => `${f.ref}: ${f.error}`),
      ...result.kernels.flatMap((k) => k.files.filter((f) => f.error).map((f) => `${k.ref}: ${f.error}`)),
    ];
    if (problems.length > 0) {
      throw new KaggError(`Some outputs were not saved:\n  ${problems.join('\n  ')}`, {
        code: result.refused > 0 ? 'KAGGLE_OUTPUT_REFUSED' : 'KAGGLE_OUTPUT_FAILED',
        ...(result.refused > 0
          ? {}
          : {
              action:
                failureActions(result.failures) ??
                'Run the same command again: the files already saved are skipped, the others downloaded.',
            }),
        details: { ...result },
      });
    }
    return result;
  }
}
