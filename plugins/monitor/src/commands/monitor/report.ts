import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import { Args, Flags } from '@oclif/core';
import { writeHtmlReport } from '../../run.js';
import { findRun, loadRun } from '../../store.js';
import { type RunReport, renderTable, summarizeRun } from '../../summary.js';

export default class MonitorReport extends KaggCommand<RunReport & { html?: string }> {
  static override summary = 'Summarize a monitor run from its records: a table, JSON, or a self-contained HTML report.';
  static override description =
    'RUN is a run id (printed when the monitor starts), "latest", or the path of a run folder. A run that was killed is reported up to its last probe.';
  static override examples = [
    '<%= config.bin %> monitor report latest',
    '<%= config.bin %> monitor report 20261207-231500-k3x9 --html iris.html',
    '<%= config.bin %> monitor report latest --json',
  ];
  static override args = { run: Args.string({ description: 'run id, "latest", or run folder', required: true }) };
  static override flags = {
    html: Flags.string({ summary: 'Write the HTML report to this file.' }),
  };

  async run(): Promise<RunReport & { html?: string }> {
    const { args, flags } = await this.parse(MonitorReport);
    const dir = findRun(kaggPaths().home, args.run);
    const report = summarizeRun(await loadRun(dir));
    if (!report.complete)
      this.warning(`run ${report.run} did not end normally: reporting its records up to the last probe`);
    if (flags.html) {
      await writeHtmlReport(dir, flags.html);
      this.info(`Report: ${flags.html}`);
    }
    this.out(renderTable(report.endpoints));
    return { ...report, ...(flags.html ? { html: flags.html } : {}) };
  }
}
