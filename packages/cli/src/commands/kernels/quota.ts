import { KaggCommand, textTable } from '@kagg/core/command';
import { type AcceleratorQuota, acceleratorQuota, createKaggleClient } from '@kagg/core/kaggle';

type Result = { refreshAt: string; quotas: AcceleratorQuota[] };

export default class KernelsQuota extends KaggCommand<Result> {
  static override summary = 'Show your weekly GPU and TPU quota on Kaggle (as `kaggle quota`).';
  static override aliases = ['quota'];
  static override examples = ['<%= config.bin %> kernels quota', '<%= config.bin %> quota --json'];

  async run(): Promise<Result> {
    await this.parse(KernelsQuota);
    const result = await acceleratorQuota(createKaggleClient({ onWarning: (m) => this.warning(m) }));
    if (result.quotas.length === 0) {
      this.info('No quota information available');
      return result;
    }
    const hours = (h: number) => `${h.toFixed(2)}h`;
    const rows = result.quotas.map((q) => [
      q.resource,
      hours(q.usedHours),
      hours(q.remainingHours),
      hours(q.totalHours),
      result.refreshAt,
    ]);
    this.out(textTable(['resource', 'used', 'remaining', 'total', 'refreshAt'], rows));
    return result;
  }
}
