import { availableParallelism } from 'node:os';
import {
  type BatchReport,
  buildReport,
  createBatchDisplay,
  defaultParallel,
  itemLine,
  OPERATIONS,
  planBatchFile,
  resumeBatch,
  startBatch,
  summaryLines,
} from '@kagg/core/batch';
import { KaggCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import { writeFileAtomic } from '@kagg/core/fs';
import { createKaggleClient, type KaggleClient } from '@kagg/core/kaggle';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { targetChoiceFrom, targetFlags } from '../../flags.js';
import { loggerFor, services } from '../../services.js';

export default class Batch extends KaggCommand<BatchReport> {
  static override summary = 'Download, run, deploy, preprocess or destroy many items from a list file.';
  static override description =
    `FILE lists one item per line (text, # comments), per row (CSV with an "input" column), or per element (a JSON array, {"defaults", "items"}, or JSON Lines). An item is what \`kagg deploy\` and \`kagg run\` accept (kernel refs, Kaggle URLs, notebooks, folders, notebook URLs; endpoint names for destroy), and may override name, target, path, region, memory, timeout, public, set, env and force.
Invalid lines are reported with their line number and the rest still run (unless --fail-fast). Progress is saved under KAGG_HOME/batches: after a crash, Ctrl-C or kill, \`kagg batch --resume ID\` finishes the unfinished items, never repeating a completed push or deploy.
Piped, it prints one line per item: STATUS<TAB>INPUT<TAB>RESULT. Exit 0 when every item succeeded, 1 when any failed or was invalid, 2 for usage errors, 130 after Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> batch kernels.txt --operation download --path ./kernels',
    '<%= config.bin %> batch notebooks.csv --operation deploy --aws --region eu-west-1 --parallel 4',
    '<%= config.bin %> batch runs.jsonl --operation run --report report.json',
    '<%= config.bin %> batch items.json --operation deploy --dry-run',
    '<%= config.bin %> batch --resume 20261126-104512-ab12',
    '<%= config.bin %> batch --resume 20261126-104512-ab12 --retry-failed',
  ];
  static override args = {
    file: Args.string({ description: 'Batch file (text, CSV, JSON or JSON Lines).' }),
  };
  static override flags = {
    operation: Flags.string({
      char: 'o',
      summary: 'What to do with each item: download, run, deploy, preprocess or destroy.',
      helpValue: 'download|run|deploy|preprocess|destroy',
    }),
    parallel: Flags.integer({
      char: 'j',
      summary: 'Items at once (default: download 8, run 4, deploy 4, preprocess = CPUs, destroy 4).',
      min: 1,
      max: 64,
    }),
    path: Flags.string({ char: 'p', summary: 'Folder for downloads and run outputs (<path>/<owner>/<slug>).' }),
    ...targetFlags,
    resume: Flags.string({ summary: 'Resume the batch with this id (see `kagg batch list`).' }),
    'retry-failed': Flags.boolean({
      summary: 'With --resume: run the items that failed again too.',
      dependsOn: ['resume'],
    }),
    report: Flags.string({ summary: 'Write the JSON report to this file.' }),
    'dry-run': Flags.boolean({ summary: 'Validate the file and print the plan; change nothing.' }),
    'fail-fast': Flags.boolean({ summary: 'Stop at the first invalid item or failure.' }),
  };

  private kaggle: KaggleClient | undefined;

  async run(): Promise<BatchReport> {
    const { args, flags } = await this.parse(Batch);
    const json = this.jsonEnabled();
    if (flags.resume && (args.file || flags.operation)) {
      throw usageError('--resume takes no FILE or --operation: the batch keeps its own', { code: 'USAGE' });
    }
    if (!flags.resume && (!args.file || !flags.operation)) {
      throw usageError(
        'give a batch FILE and --operation (download, run, deploy, preprocess or destroy), or --resume ID',
        {
          action: 'see `kagg batch --help`',
        },
      );
    }
    if (flags.operation && !(OPERATIONS as readonly string[]).includes(flags.operation)) {
      throw usageError(`--operation must be one of ${OPERATIONS.join(', ')} (got "${flags.operation}")`);
    }
    const svc = await services();
    let interrupts = 0;
    process.on('SIGINT', () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
    });
    const deps = {
      paths: svc.paths,
      config: this.config,
      registry: svc.registry,
      settings: svc.settings,
      signal: svc.signal,
      log: loggerFor(this),
      kaggle: () => {
        this.kaggle ??= createKaggleClient({ onWarning: (m) => this.warning(m), signal: svc.signal });
        return this.kaggle;
      },
    };

    if (!flags.resume) {
      const operation = flags.operation as (typeof OPERATIONS)[number];
      const definition = await planBatchFile({
        file: args.file as string,
        operation,
        cwd: process.cwd(),
        options: {
          parallel: flags.parallel ?? defaultParallel(operation, availableParallelism()),
          failFast: flags['fail-fast'],
          ...(flags.path ? { path: flags.path } : {}),
          targetFlags: targetChoiceFrom(flags),
        },
      });
      for (const bad of definition.invalid) this.warning(`${args.file}: line ${bad.line}: ${bad.reason}`);
      if (flags['dry-run'])
        return this.finish(
          buildReport(definition, [], { status: 'dry-run', finishedAt: null, dryRun: true }),
          flags.report,
          json,
          true,
        );
      if (flags['fail-fast'] && definition.invalid.length > 0) {
        throw usageError(
          `${args.file} has ${definition.invalid.length} invalid item(s); nothing was run (--fail-fast)`,
          {
            code: 'BATCH_FILE_INVALID',
            details: { invalid: definition.invalid },
          },
        );
      }
      if (definition.items.length === 0 && definition.invalid.length === 0) {
        throw usageError(`${args.file} lists no items`, { code: 'BATCH_EMPTY' });
      }
      const display = createBatchDisplay({ json });
      try {
        const { report } = await startBatch(definition, deps, { onEvent: (e) => display.onEvent(e) });
        display.stop();
        return this.finish(report, flags.report, json, false);
      } finally {
        display.stop();
      }
    }

    const display = createBatchDisplay({ json });
    try {
      const { report } = await resumeBatch(flags.resume, deps, {
        onEvent: (e) => display.onEvent(e),
        retryFailed: flags['retry-failed'],
      });
      display.stop();
      return this.finish(report, flags.report, json, false);
    } finally {
      display.stop();
    }
  }

  private async finish(report: BatchReport, reportFile: string | undefined, json: boolean, dryRun: boolean) {
    if (reportFile) await writeFileAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`, 0o644);
    if (!json) {
      if (dryRun) {
        this.info(`Plan for ${report.file} (${report.operation}, ${report.parallel} at a time); nothing was changed:`);
        for (const item of report.items) this.out(itemLine(item));
      }
      for (const line of summaryLines(report)) this.info(line);
      if (report.status === 'interrupted') this.info(`Resume with: kagg batch --resume ${report.id}`);
      else if (!dryRun && report.counts.failed > 0) this.info(`Details: kagg batch show ${report.id}`);
      if (reportFile) this.info(`Report written to ${reportFile}`);
    }
    if (report.status === 'interrupted') process.exitCode = 130;
    else if (report.counts.failed > 0 || report.counts.invalid > 0 || report.status === 'stopped') process.exitCode = 1;
    return report;
  }
}
