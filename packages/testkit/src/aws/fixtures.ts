/**
 * Fixtures for AWS target tests: a notebook built from cell sources, its FunctionBundle (through
 * kagg's own reader, converter and bundler: needs @kagg/core), and a DeployContext that records progress.
 */
import path from 'node:path';
import type { DeployContext, FunctionBundle, OperationContext } from '@kagg/plugin-api';
import { type CellSpec, notebookJson } from '../notebooks.js';
import { tempDir } from '../temp.js';

export { type CellSpec, notebookJson };

export async function bundleOf(
  name: string,
  cells: readonly CellSpec[],
  extra: { requirements?: string[] } = {},
): Promise<FunctionBundle> {
  // kagg's own pipeline, from @kagg/core (an optional peer of this package): loaded here only, so
  // the fakes load without it.
  const [{ createBundle }, { convertNotebook, readNotebook }] = await Promise.all([
    import('@kagg/core/bundle'),
    import('@kagg/core/notebook'),
  ]);
  const source = `${name}.ipynb`;
  const conversion = convertNotebook(readNotebook(notebookJson(cells), source));
  return createBundle({
    name,
    source,
    conversion,
    ...(extra.requirements ? { requirements: extra.requirements } : {}),
  });
}

export interface RecordingContext<O> extends DeployContext<O> {
  stages: string[];
}

/** A DeployContext whose progress lines are kept in `stages` (and, with KAGG_TEST_VERBOSE, printed). */
export function recordingContext<O>(
  name: string,
  options: O,
  extra: Partial<DeployContext<O>> = {},
): RecordingContext<O> {
  const dir = tempDir('kagg-aws-ctx-');
  const stages: string[] = [];
  const base: OperationContext = {
    stateDir: path.join(dir, 'state'),
    logDir: path.join(dir, 'logs'),
    progress(stage: string, detail?: string) {
      const line = detail ? `${stage}: ${detail}` : stage;
      stages.push(line);
      if (process.env.KAGG_TEST_VERBOSE) process.stderr.write(`  · ${line}\n`);
    },
    log: { info() {}, warn() {}, debug() {} },
    signal: new AbortController().signal,
  };
  return { ...base, name, options, env: {}, ...extra, stages };
}
