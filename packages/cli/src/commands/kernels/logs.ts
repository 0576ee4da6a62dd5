import { KaggCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import { createKaggleClient, followKernelLog, kernelLog, type LogEvent, requireKernelRef } from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

interface KernelLogsResult {
  ref: string;
  events?: LogEvent[];
  log?: string;
}

export default class KernelsLogs extends KaggCommand<KernelLogsResult> {
  static override summary = "Print a kernel run's log; --follow streams it live (as `kaggle kernels logs`).";
  static override description =
    `Without --follow: the log of the latest run as it stands. With --follow: Kaggle's live log stream, printed as it arrives, until the run ends.
Not to be confused with \`kagg logs\`, which shows the logs of a deployed endpoint: \`kagg kernels logs\` is about a Kaggle kernel run.`;
  static override examples = [
    '<%= config.bin %> kernels logs alice/titanic-model',
    '<%= config.bin %> kernels logs alice/titanic-model -f',
  ];
  static override args = { ref: Args.string({ description: 'Kernel ref or Kaggle URL.' }) };
  static override flags = {
    kernel: Flags.string({ char: 'k', summary: 'The kernel (the official CLI spelling of REF).', hidden: true }),
    follow: Flags.boolean({ char: 'f', summary: 'Stream the log live until the run ends.' }),
  };

  async run(): Promise<KernelLogsResult> {
    const { args, flags } = await this.parse(KernelsLogs);
    const given = args.ref ?? flags.kernel;
    if (!given) throw usageError('Give the kernel: kagg kernels logs <owner/slug>');
    const ref = requireKernelRef(given);
    const client = createKaggleClient({ onWarning: (m) => this.warning(m) });
    if (!flags.follow) {
      const log = await kernelLog(client, ref);
      if (log.text && !this.jsonEnabled()) this.write(log.text);
      return { ref: log.ref, log: log.text };
    }
    const events: LogEvent[] = [];
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    try {
      const result = await followKernelLog(
        client,
        ref,
        (e) => {
          events.push(e);
          if (!this.jsonEnabled()) this.write(e.data);
        },
        controller.signal,
      );
      return { ref: result.ref, events };
    } finally {
      process.off('SIGINT', stop);
    }
  }
}
