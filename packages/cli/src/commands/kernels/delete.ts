import { confirm, KaggCommand } from '@kagg/core/command';
import { createKaggleClient, deleteKernel, requireKernelRef } from '@kagg/core/kaggle';
import { Args, Flags } from '@oclif/core';

export default class KernelsDelete extends KaggCommand<{ ref: string; deleted: boolean }> {
  static override summary = 'Delete a kernel from Kaggle (as `kaggle kernels delete`).';
  static override description =
    'Asks for confirmation on a terminal; -y/--yes skips it. Without a terminal, -y is required (nothing is deleted otherwise, exit 2).';
  static override examples = [
    '<%= config.bin %> kernels delete alice/old-kernel',
    '<%= config.bin %> kernels delete alice/old-kernel -y',
  ];
  static override args = {
    ref: Args.string({ description: 'Kernel ref (owner/slug) or Kaggle URL.', required: true }),
  };
  static override flags = { yes: Flags.boolean({ char: 'y', summary: 'Delete without asking.' }) };

  async run(): Promise<{ ref: string; deleted: boolean }> {
    const { args, flags } = await this.parse(KernelsDelete);
    const ref = requireKernelRef(args.ref);
    const asked = { yes: flags.yes, refused: `Not deleting ${args.ref}` };
    if (!(await confirm(`Delete the kernel ${args.ref}? This cannot be undone.`, asked))) {
      this.info('Deletion cancelled');
      return { ref: args.ref, deleted: false };
    }
    const result = await deleteKernel(createKaggleClient({ onWarning: (m) => this.warning(m) }), ref);
    this.info(`Kernel ${result.ref} deleted successfully`);
    return result;
  }
}
