export { type LocalOptions, localOptionsSchema } from './options.js';
export { localTarget } from './target.js';
