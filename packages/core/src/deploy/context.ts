/** The OperationContext kagg hands to targets: state and log folders, progress, logger, cancellation. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger, OperationContext } from '@kagg/plugin-api';
import type { KaggPaths } from '../config/home.js';

export interface ContextDeps {
  paths: KaggPaths;
  progress: (stage: string) => void;
  log: Logger;
  signal?: AbortSignal;
}

export async function operationContext(targetId: string, deps: ContextDeps): Promise<OperationContext> {
  const stateDir = path.join(deps.paths.targetsDir, targetId);
  await mkdir(stateDir, { recursive: true });
  await mkdir(deps.paths.logsDir, { recursive: true });
  return {
    stateDir,
    logDir: deps.paths.logsDir,
    progress: (stage, detail) => deps.progress(detail ? `${stage}: ${detail}` : stage),
    log: deps.log,
    signal: deps.signal ?? new AbortController().signal,
  };
}
