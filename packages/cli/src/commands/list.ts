import { KaggCommand, textTable } from '@kagg/core/command';
import {
  createKaggleClient,
  KERNEL_TYPES,
  LANGUAGES,
  type ListResult,
  listKernels,
  OUTPUT_TYPES,
  SORT_BY,
} from '@kagg/core/kaggle';
import { Flags } from '@oclif/core';

const COLUMNS = ['ref', 'title', 'author', 'lastRunTime', 'totalVotes'] as const;

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export default class List extends KaggCommand<ListResult> {
  static override summary = 'List Kaggle kernels (notebooks and scripts), with the filters of the official CLI.';
  static override description =
    `Without filters it lists public kernels, hottest first (as \`kaggle kernels list\` does); --mine lists yours, private ones included.
Prints a table by default, CSV with --csv, and {"kernels": [...], "page", "pageSize"} with --json.`;
  static override examples = [
    '<%= config.bin %> list --mine',
    '<%= config.bin %> list --user alice --sort-by dateRun --page-size 50',
    '<%= config.bin %> list --search titanic --language python --kernel-type notebook --csv',
    '<%= config.bin %> list --competition titanic --json',
  ];
  static override flags = {
    mine: Flags.boolean({ char: 'm', summary: 'Only your kernels (private ones included).' }),
    user: Flags.string({ summary: "Only this user's kernels." }),
    search: Flags.string({ char: 's', summary: 'Search term (titles).' }),
    competition: Flags.string({ summary: 'Only kernels using this competition (slug).' }),
    dataset: Flags.string({ summary: 'Only kernels using this dataset (owner/dataset).' }),
    parent: Flags.string({ summary: 'Only forks of this kernel (owner/slug).' }),
    'sort-by': Flags.string({ summary: 'Sort order.', options: Object.keys(SORT_BY) }),
    'kernel-type': Flags.string({ summary: 'Kernel type.', options: [...KERNEL_TYPES], default: 'all' }),
    language: Flags.string({ summary: 'Language.', options: [...LANGUAGES], default: 'all' }),
    'output-type': Flags.string({
      summary: 'Kind of output the kernels produce.',
      options: [...OUTPUT_TYPES],
      default: 'all',
    }),
    page: Flags.integer({ char: 'p', summary: 'Page number (from 1).', default: 1, min: 1 }),
    'page-size': Flags.integer({
      summary: 'Kernels per page (1 to 100; more is clamped to 100 with a warning).',
      default: 20,
      min: 1,
    }),
    csv: Flags.boolean({ summary: 'Print CSV instead of a table.', exclusive: ['json'] }),
  };

  async run(): Promise<ListResult> {
    const { flags } = await this.parse(List);
    const client = createKaggleClient({
      onWarning: (m) => this.warning(m),
      onRetry: (r) =>
        this.progress.stage(`Kaggle answered ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
    });
    const result = await listKernels(client, {
      mine: flags.mine,
      user: flags.user,
      search: flags.search,
      competition: flags.competition,
      dataset: flags.dataset,
      parent: flags.parent,
      sortBy: flags['sort-by'],
      kernelType: flags['kernel-type'],
      language: flags.language,
      outputType: flags['output-type'],
      page: flags.page,
      pageSize: flags['page-size'],
    });
    this.progress.stop();
    for (const w of result.warnings) this.warning(w);
    const rows = result.kernels.map((k) => [k.ref, k.title, k.author, k.lastRunTime ?? '', String(k.totalVotes)]);
    if (flags.csv) {
      this.out([COLUMNS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n'));
      return result;
    }
    if (rows.length === 0) {
      this.info('No kernels found.');
      return result;
    }
    this.out(textTable(COLUMNS, rows, { rightLast: true }));
    return result;
  }
}
