/** @kagg/plugin-monitor's engine, for its commands and tests (a plugin's private surface, not a public API). */
export { type AlertEvent, type AlertPolicy, AlertState } from './alerts.js';
export { type Clock, realClock } from './clock.js';
export { detectCold } from './cold.js';
export { type Condition, evaluate, parseCondition } from './conditions.js';
export { Monitor, type MonitoredEndpoint, type MonitorOptions, type MonitorResult } from './monitor.js';
export { Channel, type Delivery } from './notify.js';
export { Metrics, parseListen, serveMetrics } from './prometheus.js';
export type { MissedRecord, ProbeRecord } from './record.js';
export {
  type MonitorDeps,
  type MonitorOutcome,
  type MonitorRequest,
  monitorEndpoints,
  writeHtmlReport,
} from './run.js';
export { runSchedule, type Tick } from './scheduler.js';
export { LiveStatus } from './status.js';
export { findRun, loadRun } from './store.js';
export { type RunReport, renderTable, summarizeRun } from './summary.js';
