import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KaggCommand } from '@kagg/core/command';
import { packageNotebook } from '@kagg/core/deploy';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { installFlags, targetChoiceFrom, targetFlags } from '../flags.js';
import { pluginInstaller, services } from '../services.js';

interface PackageResult {
  name: string;
  target: string;
  zip: string;
  bytes: number;
  bundleHash: string;
  files: string[];
  requirements: string[];
  directory?: string;
}

export default class Package extends KaggCommand<PackageResult> {
  static override summary = "Write a target's deployable package (zip) without deploying it.";
  static override description =
    'Like kagg.py package-aws, for every target: the same conversion and bundle as `kagg deploy`, laid out for the chosen target and zipped. The same notebook always gives the same bytes.';
  static override examples = [
    '<%= config.bin %> package model.ipynb --aws --output build/model-aws.zip',
    '<%= config.bin %> package model.ipynb --dir build/model --json',
  ];
  static override args = {
    input: Args.string({ description: 'Notebook file, folder, URL or Kaggle ref.', required: true }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', summary: 'Endpoint name (default: from the notebook file name).' }),
    ...targetFlags,
    output: Flags.string({ char: 'o', summary: 'Where to write the zip (default: ./<name>-<target>.zip).' }),
    dir: Flags.string({ summary: 'Also write the unpacked files into this folder.' }),
    include: Flags.string({
      summary: 'File or folder to bundle beside the notebook (repeatable).',
      multiple: true,
    }),
    'allow-secrets': Flags.boolean({ summary: 'Package even if the secret scan finds credentials.' }),
    ...installFlags,
  };

  async run(): Promise<PackageResult> {
    const { args, flags } = await this.parse(Package);
    const svc = await services();
    const { prepared, artifact } = await packageNotebook(
      {
        input: args.input,
        ...(flags.name ? { name: flags.name } : {}),
        ...targetChoiceFrom(flags),
        include: flags.include ?? [],
        allowSecrets: flags['allow-secrets'],
      },
      {
        config: this.config,
        settings: svc.settings,
        progress: (s) => this.progress.stage(s),
        installer: pluginInstaller(this, svc, flags.yes),
      },
    );
    this.progress.stop();
    const zip = path.resolve(flags.output ?? `${prepared.bundle.name}-${artifact.target}.zip`);
    await mkdir(path.dirname(zip), { recursive: true });
    await writeFile(zip, artifact.zip);
    if (flags.dir) {
      for (const file of artifact.files) {
        const to = path.join(flags.dir, file.path);
        await mkdir(path.dirname(to), { recursive: true });
        await writeFile(to, file.data, { mode: file.mode ?? 0o644 });
      }
    }
    for (const w of prepared.warnings) this.warning(w);
    this.info(
      `Packaged ${prepared.bundle.name} for ${artifact.target}: ${artifact.files.length} files, ${artifact.zip.length} bytes`,
    );
    this.out(zip);
    return {
      name: prepared.bundle.name,
      target: artifact.target,
      zip,
      bytes: artifact.zip.length,
      bundleHash: prepared.bundle.hash,
      files: artifact.files.map((f) => f.path).sort(),
      requirements: prepared.bundle.requirements,
      ...(flags.dir ? { directory: path.resolve(flags.dir) } : {}),
    };
  }
}
