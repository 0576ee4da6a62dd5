/**
 * The architecture rules DESIGN.md sets, checked: no import cycles between source modules, a
 * dependency-free @kagg/plugin-api, and a start-up that loads no cloud SDK, parser, schema compiler,
 * HTTP or prompt library for `kagg --help` and `kagg endpoints list`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BIN, CHILD_TIMEOUT_MS, isolatedEnv, ROOT, tempDir } from './helpers.ts';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const packageDirs = ['packages', 'plugins'].flatMap((g) =>
  readdirSync(path.join(ROOT, g))
    .map((p) => path.join(ROOT, g, p))
    .filter((p) => statSync(path.join(p, 'src'), { throwIfNoEntry: false })?.isDirectory()),
);
const packageByName = new Map(
  packageDirs.map((d) => [JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).name as string, d]),
);

/**
 * Every import: static ones, `import type` / `export type` (a cycle through types is still a circle
 * in the design), and dynamic `import('…')` (a lazy edge is an edge).
 */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function resolveSpec(from: string, spec: string): string | undefined {
  let target: string | undefined;
  if (spec.startsWith('.')) target = path.resolve(path.dirname(from), spec);
  else {
    const m = /^(@kagg\/[^/]+)(?:\/(.+))?$/.exec(spec);
    const dir = m ? packageByName.get(m[1]!) : undefined;
    if (!dir) return undefined;
    target = m![2] ? path.join(dir, 'src', m![2]!, 'index.js') : path.join(dir, 'src', 'index.js');
  }
  const ts = target.replace(/\.js$/, '.ts');
  for (const candidate of [ts, path.join(target, 'index.ts')])
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  return undefined;
}

describe('architecture', () => {
  it('has no import cycles between source modules, counting type-only and dynamic imports', () => {
    const graph = new Map<string, string[]>();
    for (const dir of packageDirs) {
      for (const file of sources(path.join(dir, 'src'))) {
        graph.set(
          file,
          imports(file)
            .map((s) => resolveSpec(file, s))
            .filter((x): x is string => x !== undefined),
        );
      }
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].map((f) => path.relative(ROOT, f)).join(' → '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    assert.ok(graph.size > 30, 'the graph covers the sources');
    assert.deepEqual(cycles, []);
  });

  it('keeps @kagg/plugin-api free of runtime dependencies: the contract imports nothing, the kit only Node', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'packages', 'plugin-api', 'package.json'), 'utf8'));
    assert.deepEqual(pkg.dependencies ?? {}, {});
    const src = path.join(ROOT, 'packages', 'plugin-api', 'src');
    assert.deepEqual(imports(path.join(src, 'index.ts')), []);
    const all = sources(src).flatMap(imports);
    assert.deepEqual(
      all.filter((spec) => !spec.startsWith('node:') && spec !== './index.js'),
      [],
    );
  });

  it("writes a command's stdout only through the redacting output (KaggCommand's out, write, result)", () => {
    const commandFiles = packageDirs
      .map((dir) => path.join(dir, 'src', 'commands'))
      .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      .flatMap((dir) => sources(dir));
    assert.ok(commandFiles.length > 20, 'the check covers the commands');
    const direct = commandFiles.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => /process\.stdout\.write\(|console\.(log|info|dir|table)\(/.test(line))
        .map(([, i]) => `${path.relative(ROOT, file)}:${i + 1}`),
    );
    assert.deepEqual(direct, [], 'these write past the redaction: use this.out(), this.write() or the result');
  });

  for (const args of [['--help'], ['--version'], ['endpoints', 'list']]) {
    it(`loads no cloud SDK, parser, schema compiler, HTTP or prompt library for kagg ${args.join(' ')}`, () => {
      const home = tempDir();
      const record = path.join(home, 'imports.txt');
      const r = spawnSync(
        process.execPath,
        ['--import', path.join(ROOT, 'test', 'fixtures', 'record-imports.mjs'), BIN, ...args],
        {
          env: isolatedEnv(home, { KAGG_RECORD_IMPORTS: record }),
          encoding: 'utf8',
          timeout: CHILD_TIMEOUT_MS,
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const loaded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
      assert.ok(
        loaded.some((u) => u.includes('@oclif/core')),
        'the recorder saw oclif load',
      );
      const heavy = loaded.filter((u) =>
        /node_modules\/(@aws-sdk|@smithy|@google-cloud|@azure|@lezer|@inquirer|ajv\/|got\/|undici|smol-toml)|dist\/http\/got\.cjs/.test(
          u,
        ),
      );
      assert.deepEqual(heavy, []);
    });
  }
});
