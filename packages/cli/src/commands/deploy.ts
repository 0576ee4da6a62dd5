import { KaggCommand } from '@kagg/core/command';
import { type DeployResult, deployNotebook } from '@kagg/core/deploy';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { envFrom, installFlags, targetChoiceFrom, targetFlags } from '../flags.js';
import { operationDeps, services } from '../services.js';

export default class Deploy extends KaggCommand<DeployResult> {
  static override summary = 'Turn a notebook into an HTTP endpoint (on this machine by default).';
  static override description =
    `The notebook is converted (magics handled, cells tagged skip-deploy left out), scanned for secrets when the preprocess plugin is installed, bundled with kagg's Python runtime, and deployed. Requests reach its process_request(payload) function, or override its cell tagged "parameters".
Re-deploying under the same name compares the whole deployment (notebook, settings, --env values, target and runtime versions): when nothing changed it is a no-op (--force redeploys anyway); when only settings changed, only the configuration is updated where the provider allows it.

INPUT is a .ipynb file, a folder holding one, an https URL to a notebook (GitHub, gist, GitLab links work), or a Kaggle kernel ref (owner/slug) or URL.`;
  static override examples = [
    '<%= config.bin %> deploy examples/iris/iris.ipynb',
    '<%= config.bin %> deploy model.ipynb --name churn --aws --region eu-west-1 --memory 1024',
    '<%= config.bin %> deploy model.ipynb --aws --yes   # installs @kagg/plugin-aws first if it is missing',
    '<%= config.bin %> deploy https://github.com/me/repo/blob/main/model.ipynb --json',
    '<%= config.bin %> deploy alice/titanic-model --with-outputs',
  ];
  static override args = {
    input: Args.string({ description: 'Notebook file, folder, URL or Kaggle ref.', required: true }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', summary: 'Endpoint name (default: from the notebook file name).' }),
    ...targetFlags,
    env: Flags.string({
      summary: 'Environment variable for the function, KEY=VALUE (repeatable).',
      multiple: true,
    }),
    include: Flags.string({
      summary: 'File or folder to bundle beside the notebook (repeatable).',
      multiple: true,
    }),
    'with-outputs': Flags.boolean({ summary: "For a Kaggle kernel: bundle its latest run's output files." }),
    'allow-secrets': Flags.boolean({ summary: 'Deploy even if the secret scan finds credentials.' }),
    force: Flags.boolean({ char: 'f', summary: 'Redeploy even when nothing changed.' }),
    adopt: Flags.boolean({
      summary: "Take over an existing cloud resource with this endpoint's name that kagg did not create for it.",
    }),
    ...installFlags,
  };

  async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(Deploy);
    const svc = await services();
    const result = await deployNotebook(
      {
        input: args.input,
        ...(flags.name ? { name: flags.name } : {}),
        ...targetChoiceFrom(flags),
        env: envFrom(flags.env ?? []),
        include: flags.include ?? [],
        allowSecrets: flags['allow-secrets'],
        force: flags.force,
        adopt: flags.adopt,
        withOutputs: flags['with-outputs'],
      },
      operationDeps(this, svc, { progress: true, yes: flags.yes }),
    );
    this.progress.stop();
    for (const w of result.warnings) this.warning(w);
    this.info(
      result.changed
        ? `Deployed ${result.name} to ${result.target}, wrote ${result.written.join(', ')} (${result.entry === 'process_request' ? 'process_request' : `parameters: ${result.parameters.join(', ')}`})`
        : `${result.name} is already up to date on ${result.target} (nothing changed; --force redeploys)`,
    );
    this.out(result.url);
    return result;
  }
}
