import { KaggCommand } from '@kagg/core/command';
import { createKaggleClient, kernelStatus, requireKernelRef, type StatusResult } from '@kagg/core/kaggle';
import { Args } from '@oclif/core';

export default class Status extends KaggCommand<StatusResult> {
  static override summary = "Show the status of a kernel's latest run.";
  static override description =
    `Prints '<ref> has status "<status>"' (queued, running, complete, error, cancelAcknowledged…) and the failure message, if any.
--json gives {"ref", "status" (QUEUED, RUNNING, COMPLETE, ERROR, CANCEL_REQUESTED, CANCEL_ACKNOWLEDGED), "terminal", "failureMessage"}.`;
  static override examples = [
    '<%= config.bin %> status alice/titanic-model',
    '<%= config.bin %> status titanic-model --json',
  ];
  static override args = {
    ref: Args.string({ description: 'Kernel ref or Kaggle URL.', required: true }),
  };

  async run(): Promise<StatusResult> {
    const { args } = await this.parse(Status);
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
    });
    const result = await kernelStatus(client, requireKernelRef(args.ref));
    this.progress.stop();
    const word = result.status.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    this.out(`${result.ref} has status "${word}"`);
    if (result.failureMessage) this.out(`Failure message: "${result.failureMessage}"`);
    return result;
  }
}
