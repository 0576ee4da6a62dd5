export { KaggCommand, renderError } from './base.js';
export { createProgress, type Progress } from './progress.js';
export { type CommandSuggestion, suggestCommand } from './suggest.js';
