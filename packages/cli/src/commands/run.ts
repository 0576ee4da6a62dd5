import { KaggCommand } from '@kagg/core/command';
import { parseDuration } from '@kagg/core/config';
import { createKaggleClient, pickKernel, type RunResult, runKernel } from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class Run extends KaggCommand<RunResult> {
  static override summary = 'Run a kernel on Kaggle: push a new version, wait for it, download its outputs and log.';
  static override description =
    `INPUT is a kernel ref (owner/slug), a Kaggle URL, a local notebook or a folder with kernel-metadata.json. A ref is pulled and pushed back as a new version (you can run only your own kernels).
kagg waits for this run's own status (never the previous version's), showing progress. On COMPLETE the outputs and log go to --path (default ./<slug>-output). On ERROR or cancellation it exits 1 with the failure message and the last lines of the log.
--no-wait returns right after the push.`;
  static override examples = [
    '<%= config.bin %> run alice/titanic-model',
    '<%= config.bin %> run   # on a terminal: pick from your kernels or the popular ones',
    '<%= config.bin %> run analysis.ipynb --path ./results --timeout 2h',
    '<%= config.bin %> run https://www.kaggle.com/code/alice/titanic-model --no-wait --json',
  ];
  static override args = {
    input: Args.string({
      description:
        'Kernel ref, Kaggle URL, notebook or folder (none: pick one of yours or a popular one, on a terminal).',
    }),
  };
  static override flags = {
    path: Flags.string({ char: 'p', summary: 'Folder for outputs and log (default ./<slug>-output).' }),
    timeout: Flags.string({ summary: 'Longest wait for the run, e.g. 600, 30m, 2h (default 12h).' }),
    wait: Flags.boolean({
      summary: 'Wait for the run to end (--no-wait returns after the push).',
      default: true,
      allowNo: true,
    }),
    accelerator: Flags.string({ summary: 'Machine shape, e.g. NvidiaTeslaT4 (overrides machine_shape).' }),
    parallel: Flags.integer({ summary: 'Requests in flight while downloading outputs.', default: 4, min: 1, max: 64 }),
  };

  async run(): Promise<RunResult> {
    const { args, flags } = await this.parse(Run);
    const timeoutMs = flags.timeout ? parseDuration(flags.timeout, '--timeout') : undefined;
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
    });
    const input =
      args.input ?? (await pickKernel(client, { command: 'run', argument: 'INPUT', json: this.jsonEnabled() }));
    const result = await runKernel(client, input, {
      path: flags.path,
      timeoutMs,
      wait: flags.wait,
      machineShape: flags.accelerator,
      parallel: flags.parallel,
      onProgress: (text) => this.progress.stage(text),
    });
    this.progress.stop();
    for (const w of result.warnings) this.warning(w);
    if (!result.waited) {
      this.info(`Kernel version ${result.versionNumber ?? '?'} of ${result.ref} pushed; it runs at ${result.url}`);
      this.out(result.url);
      return result;
    }
    this.info(
      `Run of ${result.ref} version ${result.versionNumber ?? '?'} complete in ${Math.round(result.elapsedMs / 1000)} s`,
    );
    for (const f of result.outputs?.files ?? []) if (f.path) this.out(f.path);
    if (result.log) this.info(`Log saved to ${result.log}`);
    return result;
  }
}
