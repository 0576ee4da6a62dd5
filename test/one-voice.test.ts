/**
 * Help as one voice: an alias is shown as an alias, not as a second command; durations are read the
 * same way by every command; `--data @FILE` (curl's convention) beside `--data-file`; a short flag
 * means one long flag across every command (the differences on purpose listed, with why); every
 * example in every command's help parses as written.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Config, Flags, Parser } from '@oclif/core';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

/**
 * Short flags that mean different long flags on purpose, each long flag with the commands that use it
 * that way (docs/guide.md, "Short flags"). Anything else that shares a letter fails the test below.
 */
const ON_PURPOSE: Record<string, Record<string, string[]>> = {
  // The official CLI's: `kaggle kernels output -o` is --force, `list -p` --page, `list -m` --mine,
  // `pull -m` --metadata; kagg keeps them so that scripts moving over keep working.
  o: { force: ['output'], output: ['package', 'preprocess'], operation: ['batch'] },
  p: { page: ['list'], path: ['batch', 'kernels:init', 'output', 'pull', 'push', 'run'] },
  m: { mine: ['list'], metadata: ['pull'] },
  // `-f` follows a log (tail -f, `kaggle kernels logs -f`) and forces elsewhere.
  f: { follow: ['kernels:logs', 'logs'], force: ['deploy', 'plugins:install', 'plugins:add'] },
  // oclif's own commands (plugins, help).
  n: { name: ['deploy', 'package'], 'nested-commands': ['help'] },
  s: { search: ['list'], silent: ['plugins:install', 'plugins:add'] },
};

describe('one voice across commands', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const payload = path.join(home, 'payload.json');

  before(async () => {
    writeFileSync(payload, '{"a": 40, "b": 2}');
    const deployed = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'voice'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
  });
  after(() => cleanup(home));

  it('lists invoke once, naming call as its alias, and call still runs it', async () => {
    const help = await kagg(['--help'], env);
    assert.match(help.stdout, /invoke\s+Call an endpoint .*\(also\s+`kagg call`\)/s);
    assert.doesNotMatch(help.stdout, /^\s+call\s/m);
    const called = await kaggJson<{ body: unknown }>(['call', 'voice', '--data', '{"a": 1, "b": 2}'], env);
    assert.deepEqual(called.json.body, { sum: 3 });
  });

  it('reads --data @FILE as curl does, and names a missing file', async () => {
    const result = await kaggJson<{ body: unknown }>(['invoke', 'voice', '--data', `@${payload}`], env);
    assert.deepEqual(result.json.body, { sum: 42 });
    const missing = await kagg(['invoke', 'voice', '--data', '@nope.json'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data @nope\.json: no such file/);
  });

  it('takes durations the same way everywhere: bare seconds or a unit; a bad one is a usage error naming the flag', async () => {
    const ok = await kaggJson<{ body: unknown }>(
      ['invoke', 'voice', '--data', '{"a": 1, "b": 1}', '--timeout', '2m'],
      env,
    );
    assert.deepEqual(ok.json.body, { sum: 2 });
    for (const args of [
      ['invoke', 'voice', '--timeout', '5x'],
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'voice', '--timeout', 'soon'],
      ['logs', 'voice', '--since', '10 minutes'],
    ]) {
      const bad = await kaggJson<{ error: { code: string; message: string } }>(args, env);
      assert.equal(bad.code, 2, args.join(' '));
      assert.equal(bad.json.error.code, 'DURATION_INVALID');
      assert.match(bad.json.error.message, /^--(timeout|since) "[^"]+" is not a duration/);
    }
    const logs = await kagg(['logs', 'voice', '--since', '3600'], env);
    assert.equal(logs.code, 0, logs.stderr);
  });

  it('a missing argument or a bad flag value is two lines: what is wrong, and where help is (exit 2)', async () => {
    const missing = await kagg(['deploy'], env);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'Error: Missing 1 required arg:\ninput  Notebook file, folder, URL or Kaggle ref.\n  → see `kagg deploy --help`\n',
    );
    const bad = await kagg(['deploy', 'x.ipynb', '--memory', 'lots'], env);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'Error: --memory: Expected an integer but received: lots\n  → see `kagg deploy --help`\n');
  });

  it('`kagg plugins` lists the targets kagg has and the first-party ones it can install, with the command', async () => {
    const text = await kagg(['plugins'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^local +@kagg\/plugin-local +\S+ +built in$/m);
    assert.match(text.stdout, /^aws +kagg plugins install @kagg\/plugin-aws@\S+$/m);
    assert.doesNotMatch(text.stdout, /No plugins installed/);
    const json = await kaggJson<{
      targets: Array<{ id: string }>;
      installable: Array<{ id: string; command: string }>;
    }>(['plugins'], env);
    assert.deepEqual(
      json.json.targets.map((t) => t.id),
      ['local'],
    );
    assert.deepEqual(
      json.json.installable.map((t) => t.id),
      ['aws', 'gcp', 'cloud-run', 'azure', 'container'],
    );
    assert.match(text.stdout, /^cloud-run +kagg plugins install @kagg\/plugin-gcp@\S+$/m);
  });

  it('gives each short flag one meaning across every command, apart from the differences on purpose', async () => {
    const config = await Config.load({ root: ROOT });
    const meanings = new Map<string, Map<string, string[]>>();
    for (const command of config.commands) {
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        if (!flag.char) continue;
        const byName = meanings.get(flag.char) ?? new Map<string, string[]>();
        byName.set(name, [...(byName.get(name) ?? []), command.id].sort());
        meanings.set(flag.char, byName);
      }
    }
    assert.ok(meanings.size > 5, 'the walk found the short flags');
    const shared = Object.fromEntries(
      [...meanings].filter(([, byName]) => byName.size > 1).map(([char, byName]) => [char, Object.fromEntries(byName)]),
    );
    const expected = Object.fromEntries(
      Object.entries(ON_PURPOSE).map(([char, byName]) => [
        char,
        Object.fromEntries(Object.entries(byName).map(([name, ids]) => [name, [...ids].sort()])),
      ]),
    );
    assert.deepEqual(shared, expected);
  });

  it("every example in every command's help names a command and parses with its flags and arguments", async () => {
    const config = await Config.load({ root: ROOT });
    // The help's own templates: <%= config.bin %>, <%= command.id %>, <%- config.pjson.oclif.examplePlugin … %>.
    const render = (text: string, id: string) =>
      text.replace(/<%[=-]\s*(.*?)\s*%>/g, (_, expr: string) =>
        String(new Function('config', 'command', `return ${expr}`)(config, { id: id.replaceAll(':', ' ') })),
      );
    let parsed = 0;
    for (const command of config.commands) {
      for (const example of command.examples ?? []) {
        const text = render(typeof example === 'string' ? example : example.command, command.id);
        assert.doesNotMatch(text, /myplugin/, `${command.id}: oclif's placeholder in ${text}`);
        // The kagg part of a shell line: no comment, no pipe into it, no redirection.
        const line = text
          .replace(/\s#\s.*$/, '')
          .split(' | ')
          .find((part) => part.trim().startsWith(`${config.bin} `));
        assert.ok(line, `${command.id}: no \`${config.bin}\` command in ${text}`);
        const argv = shellWords(line.split(' > ')[0] ?? '').slice(1);
        const words = argv.findIndex((w) => w.startsWith('-'));
        const named = argv.slice(0, words < 0 ? argv.length : words);
        let depth = named.length;
        while (depth > 0 && !config.findCommand(named.slice(0, depth).join(':'))) depth--;
        const found = config.findCommand(named.slice(0, depth).join(':'));
        assert.ok(found, `${command.id}: ${text} names no command`);
        const loaded = await found.load();
        await assert.doesNotReject(
          Parser.parse(argv.slice(depth), {
            flags: {
              ...loaded.baseFlags,
              ...loaded.flags,
              ...(loaded.enableJsonFlag ? { json: Flags.boolean() } : {}),
            },
            args: loaded.args ?? {},
            strict: loaded.strict ?? true,
            // Only the config is read while parsing; the command instance is not needed.
            context: { config } as unknown as NonNullable<Parameters<typeof Parser.parse>[1]['context']>,
          }),
          `${command.id}: ${text}`,
        );
        parsed++;
      }
    }
    assert.ok(parsed > 50, `only ${parsed} examples`);
  });
});

/** A shell line's words, with '…' and "…" quoting. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}
