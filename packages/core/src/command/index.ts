export { KaggCommand } from './base.js';
export { createProgress, type Progress } from './progress.js';
