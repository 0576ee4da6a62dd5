import { spawnSync } from 'node:child_process';

/**
 * A python3 that has nbformat. `npm test` finds (or provisions) it before any test runs and passes it
 * as KAGG_NBFORMAT_PYTHON (scripts/prerequisites.mjs); a file run alone looks for it itself.
 */
export function pythonWithNbformat(): string {
  const given = process.env.KAGG_NBFORMAT_PYTHON;
  for (const candidate of given ? [given] : ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import nbformat'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error(
    'no python3 with nbformat found: apt-get install python3-nbformat (or python3 -m pip install nbformat)',
  );
}

/** Validates notebook text with nbformat and returns what `nbformat.writes` makes of it. */
export function nbformatRoundTrip(text: string): { valid: boolean; error: string; written: string } {
  const script = [
    'import sys, json, nbformat',
    'text = sys.stdin.read()',
    'nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)',
    'try:',
    '    nbformat.validate(nb, relax_add_props=False)',
    '    ok = True; err = ""',
    'except Exception as e:',
    '    ok = False; err = str(e)[:500]',
    'sys.stdout.write(json.dumps({"valid": ok, "error": err, "written": nbformat.writes(nb) + "\\n"}))',
  ].join('\n');
  const run = spawnSync(pythonWithNbformat(), ['-c', script], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 100_000,
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}
