/**
 * oclif's `command_not_found` hook: an unknown command is a usage error (exit 2) with "did you mean",
 * in JSON under `--json`, and never shows the arguments glued to the command name.
 */
import { renderError, suggestCommand } from '@kagg/core/command';
import { usageError } from '@kagg/core/errors';
import type { Hook } from '@oclif/core/hooks';

const hook: Hook<'command_not_found'> = async ({ id, argv, config }) => {
  const known = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const { typed, suggestion } = suggestCommand(id, known);
  const bin = config.bin;
  const error = usageError(`"${typed}" is not a ${bin} command`, {
    code: 'COMMAND_NOT_FOUND',
    action: suggestion
      ? `did you mean \`${bin} ${suggestion}\`? (\`${bin} --help\` lists every command)`
      : `\`${bin} --help\` lists every command`,
    ...(suggestion ? { details: { suggestion } } : {}),
  });
  renderError(error, { json: (argv ?? []).includes('--json') });
};

export default hook;
