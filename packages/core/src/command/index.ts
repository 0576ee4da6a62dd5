export { KaggCommand, renderError } from './base.js';
export { canPrompt, createProgress, onTerminal, type Progress } from './progress.js';
export { type CommandSuggestion, suggestCommand } from './suggest.js';
