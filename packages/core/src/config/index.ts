export { formatDuration, parseDuration } from './duration.js';
export { type KaggPaths, kaggHome, kaggPaths } from './home.js';
export { redact, redactValue, registerSecret } from './redact.js';
export { loadSettings, type Settings, settingsSchema } from './settings.js';
