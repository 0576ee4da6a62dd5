export { type BatchDisplay, createBatchDisplay, type DisplayOptions, summaryLines } from './display.js';
export { BATCH_ID_PATTERN, newBatchId } from './id.js';
export { type BatchDeps, executeItem, type ItemContext } from './operations.js';
export { detectFormat, parseBatchFile } from './parse.js';
export {
  classifyInput,
  defaultParallel,
  type PlanRequest,
  planBatch,
  planBatchFile,
  storableDefinition,
} from './plan.js';
export { buildReport, itemLine, outcomes, statusLabel, storedStatus, summarizeResult } from './report.js';
export { currentVersion } from './run-item.js';
export { type BatchEvent, type BatchRun, type RunOptions, reportOfState, resumeBatch, startBatch } from './runner.js';
export { batchDefaultsSchema, batchFileSchema, batchItemSchema, batchReportSchema } from './schema.js';
export {
  appendRecord,
  type BatchState,
  batchStateFile,
  listBatchStates,
  parseBatchState,
  readBatchState,
  runningPid,
} from './state.js';
export * from './types.js';
