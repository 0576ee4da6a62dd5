import { type BatchReport, listBatchStates, reportOfState, runningPid } from '@kagg/core/batch';
import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import * as Flags from '@oclif/core/flags';

interface BatchSummary {
  id: string;
  createdAt: string;
  operation: BatchReport['operation'];
  file: string;
  status: BatchReport['status'];
  counts: BatchReport['counts'];
}

export default class BatchList extends KaggCommand<{ batches: BatchSummary[] }> {
  static override summary = 'List past batches, newest first.';
  static override examples = ['<%= config.bin %> batch list', '<%= config.bin %> batch list --limit 5 --json'];
  static override flags = {
    limit: Flags.integer({ summary: 'Show at most this many.', min: 1 }),
  };

  async run(): Promise<{ batches: BatchSummary[] }> {
    const { flags } = await this.parse(BatchList);
    const states = await listBatchStates(kaggPaths().batchesDir);
    const batches: BatchSummary[] = [];
    for (const state of states.slice(0, flags.limit ?? states.length)) {
      const report = reportOfState(state, (await runningPid(state.file)) !== undefined);
      batches.push({
        id: report.id,
        createdAt: report.createdAt,
        operation: report.operation,
        file: report.file,
        status: report.status,
        counts: report.counts,
      });
    }
    if (batches.length === 0) {
      this.info('No batches yet: start one with `kagg batch FILE --operation download`.');
      return { batches };
    }
    const rows = batches.map((b) => [
      b.id,
      b.createdAt.slice(0, 19).replace('T', ' '),
      b.operation,
      b.status,
      `${b.counts.succeeded}/${b.counts.total}`,
      String(b.counts.failed + b.counts.invalid),
      b.file,
    ]);
    const header = ['ID', 'CREATED', 'OPERATION', 'STATUS', 'OK', 'FAILED', 'FILE'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    this.out(line(header));
    for (const r of rows) this.out(line(r));
    return { batches };
  }
}
