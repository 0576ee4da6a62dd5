import { type BatchReport, readBatchState, reportOfState, runningPid, summaryLines } from '@kagg/core/batch';
import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import * as Args from '@oclif/core/args';

export default class BatchShow extends KaggCommand<BatchReport> {
  static override summary = 'Show a batch: every item with its status, attempts, result or error.';
  static override description = 'The --json output is the same report `kagg batch --report FILE` writes.';
  static override examples = [
    '<%= config.bin %> batch show 20261126-104512-ab12',
    '<%= config.bin %> batch show 20261126-104512-ab12 --json',
  ];
  static override args = { id: Args.string({ description: 'Batch id (see `kagg batch list`).', required: true }) };

  async run(): Promise<BatchReport> {
    const { args } = await this.parse(BatchShow);
    const state = await readBatchState(kaggPaths().batchesDir, args.id);
    const running = await runningPid(state.file);
    const report = reportOfState(state, running !== undefined);
    this.out(`Batch ${report.id}: ${report.operation} of ${report.file}`);
    this.out(
      `Created ${report.createdAt}${report.finishedAt ? `, ended ${report.finishedAt}` : ''}; ${report.parallel} at a time`,
    );
    if (running) this.out(`Running now (pid ${running}).`);
    if (state.tornTail) this.warning('the last record was cut short by a crash and was ignored');
    for (const line of summaryLines(report, Number.POSITIVE_INFINITY)) this.out(line);
    if (report.status === 'interrupted') this.out(`Resume with: kagg batch --resume ${report.id}`);
    return report;
  }
}
