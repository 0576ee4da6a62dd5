export { KaggCommand, renderError } from './base.js';
export { canPrompt, canRedraw, confirm, createProgress, onTerminal, type Progress } from './progress.js';
export { type CommandSuggestion, suggestCommand } from './suggest.js';
export { textTable } from './table.js';
