import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KaggCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import { Args, Flags } from '@oclif/core';
import { type PreprocessReport, type ReportFormat, renderReport, requirementsTxtOf } from '../report.js';
import { DEFAULT_PYTHON, PYTHON_VERSIONS } from '../requirements/stdlib.js';
import { runPreprocess } from '../run.js';

export default class Preprocess extends KaggCommand<PreprocessReport> {
  static override summary =
    'Scan notebooks for secrets, derive their requirements, clean and strip them, check their imports.';

  static override description =
    `With no operation flag, scans each notebook for secrets and reports its requirements without changing any file.
Exit codes: 1 when secrets were found (or, with --optimize, import issues are left), 0 when clean, 2 on usage errors; so it works in CI and as a pre-commit hook.
Accept a finding with an inline comment (# kagg:allow) or a baseline file (any earlier --format json or sarif report).`;

  static override examples = [
    '<%= config.bin %> preprocess model.ipynb',
    '<%= config.bin %> preprocess notebooks/*.ipynb --format sarif > kagg.sarif',
    '<%= config.bin %> preprocess model.ipynb --clean --strip-outputs --in-place',
    '<%= config.bin %> preprocess model.ipynb --requirements-out requirements.txt',
    '<%= config.bin %> preprocess model.ipynb --optimize',
    '<%= config.bin %> preprocess model.ipynb --optimize --fix --in-place',
    '<%= config.bin %> preprocess model.ipynb --baseline accepted.json --rules .gitleaks.toml',
  ];

  static override strict = false;

  static override args = {
    notebook: Args.string({ description: 'notebook files (.ipynb)', required: true }),
  };

  static override flags = {
    clean: Flags.boolean({ description: 'keep only allowlisted metadata (kernelspec, language_info.name, tags)' }),
    'strip-outputs': Flags.boolean({ description: 'remove outputs and execution counts (nbstripout semantics)' }),
    'scan-secrets': Flags.boolean({ description: 'scan for secrets (the default when no operation is given)' }),
    optimize: Flags.boolean({
      description: 'report unused, duplicate, shadowed and star imports, per cell and line',
    }),
    fix: Flags.boolean({
      description:
        'with --optimize: remove unused and duplicate imports where that is safe (needs --in-place or --output)',
    }),
    'requirements-out': Flags.string({
      description: 'write requirements.txt here (optional imports as comments; - for stdout)',
    }),
    'in-place': Flags.boolean({
      description: 'rewrite cleaned/stripped/fixed notebooks in place',
      exclusive: ['output'],
    }),
    output: Flags.string({
      char: 'o',
      description: 'write the cleaned/stripped/fixed notebook here (a folder for several notebooks; - for stdout)',
      exclusive: ['in-place'],
    }),
    format: Flags.string({ description: 'report format', options: ['text', 'json', 'sarif'], default: 'text' }),
    baseline: Flags.string({ description: 'report of accepted findings (kagg JSON or SARIF, or gitleaks JSON)' }),
    rules: Flags.string({ description: 'gitleaks TOML config to scan with (its [extend] useDefault adds kagg rules)' }),
    'keep-count': Flags.boolean({ description: 'keep execution counts when stripping' }),
    'keep-output': Flags.boolean({ description: 'keep outputs when stripping (only counts and metadata go)' }),
    'keep-id': Flags.boolean({ description: 'keep cell ids instead of renumbering them when stripping' }),
    'drop-empty-cells': Flags.boolean({ description: 'remove cells whose source is empty or blank when stripping' }),
    'keep-data-sources': Flags.boolean({ description: "keep Kaggle's metadata.kaggle.dataSources when cleaning" }),
    'assume-unknown-distributions': Flags.boolean({
      description:
        'write an import no table knows as a distribution of the same name (off: it is reported as unresolved, since an unknown name invites a dependency-confusion install)',
    }),
    python: Flags.string({
      description: 'target Python whose standard library is left out',
      options: [...PYTHON_VERSIONS],
      default: DEFAULT_PYTHON,
    }),
  };

  async run(): Promise<PreprocessReport> {
    const { argv, flags } = await this.parse(Preprocess);
    const notebooks = (argv as string[]).filter((value) => value !== '');
    if (notebooks.length === 0) throw usageError('give at least one notebook');
    const format: ReportFormat = this.jsonEnabled() ? 'json' : (flags.format as ReportFormat);
    const toStdout = flags.output === '-';
    if (toStdout && notebooks.length > 1)
      throw usageError('--output - writes one notebook to stdout; give one notebook');
    const rewrite = flags.clean || flags['strip-outputs'] || flags.fix;
    const optimize = flags.optimize || flags.fix;
    if (rewrite && !flags['in-place'] && flags.output === undefined) {
      throw usageError(
        '--clean, --strip-outputs and --fix rewrite notebooks: add --in-place, or --output PATH (- for stdout)',
      );
    }
    if (!rewrite && (flags['in-place'] || flags.output !== undefined)) {
      throw usageError('--in-place and --output need --clean, --strip-outputs or --fix');
    }
    let outputDir: string | undefined;
    if (flags.output !== undefined && !toStdout && notebooks.length > 1) {
      outputDir = flags.output;
      await mkdir(outputDir, { recursive: true });
    } else if (flags.output !== undefined && !toStdout) {
      const info = await stat(flags.output).catch(() => undefined);
      if (info?.isDirectory()) outputDir = flags.output;
    }

    const report = await runPreprocess({
      notebooks,
      clean: flags.clean ? { keepDataSources: flags['keep-data-sources'] } : undefined,
      strip: flags['strip-outputs']
        ? {
            keepCount: flags['keep-count'],
            keepId: flags['keep-id'],
            dropEmptyCells: flags['drop-empty-cells'],
            ...(flags['keep-output'] ? { keepOutput: true } : {}),
          }
        : undefined,
      scan: flags['scan-secrets'] || (!rewrite && !optimize && flags['requirements-out'] === undefined),
      requirements: flags['requirements-out'] !== undefined || (!rewrite && !optimize && !flags['scan-secrets']),
      optimize: optimize ? { fix: flags.fix } : undefined,
      python: flags.python,
      assumeUnknownDistributions: flags['assume-unknown-distributions'],
      rulesFile: flags.rules,
      baselineFile: flags.baseline,
      write: async (source, text) => {
        if (toStdout) {
          this.write(text);
          return '-';
        }
        const target = flags['in-place']
          ? source
          : outputDir
            ? path.join(outputDir, path.basename(source))
            : (flags.output as string);
        const existing = await readFile(target, 'utf8').catch(() => undefined);
        if (existing !== text) await writeFile(target, text);
        return target;
      },
    });

    if (flags['requirements-out'] !== undefined) {
      const text = requirementsTxtOf(report);
      if (flags['requirements-out'] === '-') this.write(text);
      else await writeFile(flags['requirements-out'], text);
    }
    for (const note of report.notes) this.warning(note);
    // Like a linter: findings, or import issues left after --fix, fail the run.
    const importIssuesLeft = report.notebooks.some((item) => item.imports?.some((issue) => !issue.fixed));
    if (report.findings.length > 0 || importIssuesLeft) process.exitCode = 1;
    if (!this.jsonEnabled()) {
      const rendered = renderReport(report, format);
      if (rendered !== '') {
        if (toStdout || flags['requirements-out'] === '-') process.stderr.write(rendered);
        else this.write(rendered);
      }
    }
    return report;
  }
}
