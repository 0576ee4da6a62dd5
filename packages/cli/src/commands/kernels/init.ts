import { KaggCommand } from '@kagg/core/command';
import { createKaggleClient, initKernel } from '@kagg/core/kaggle';
import { Flags } from '@oclif/core';

export default class KernelsInit extends KaggCommand<{ file: string }> {
  static override summary = 'Write a kernel-metadata.json template (as `kaggle kernels init`).';
  static override description =
    'The same keys and placeholders as the official template, with your user name in "id". An existing kernel-metadata.json is never overwritten (exit 2).';
  static override examples = ['<%= config.bin %> kernels init -p ./my-kernel'];
  static override flags = {
    path: Flags.string({ char: 'p', summary: 'Folder to write into (default: the current folder).', default: '.' }),
  };

  async run(): Promise<{ file: string }> {
    const { flags } = await this.parse(KernelsInit);
    const result = await initKernel(createKaggleClient({ onWarning: (m) => this.warning(m) }), flags.path);
    this.info(`Kernel metadata template written to: ${result.file}`);
    this.out(result.file);
    return result;
  }
}
