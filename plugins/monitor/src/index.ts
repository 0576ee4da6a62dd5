export type { AlertEvent, AlertPolicy } from './alerts.js';
export { AlertState } from './alerts.js';
export { type Clock, realClock } from './clock.js';
export { type Condition, evaluate, parseCondition } from './conditions.js';
export { Monitor, type MonitorOptions, type MonitorResult } from './monitor.js';
export { Metrics } from './prometheus.js';
export type { MissedRecord, ProbeRecord } from './record.js';
export {
  type MonitorDeps,
  type MonitorOutcome,
  type MonitorRequest,
  monitorEndpoints,
  writeHtmlReport,
} from './run.js';
export { findRun, loadRun } from './store.js';
export { type RunReport, renderTable, summarizeRun } from './summary.js';
