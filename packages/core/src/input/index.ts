export { type KaggleResolver, type ResolvedNotebook, type ResolveOptions, resolveNotebookInput } from './resolve.js';
export { isLoopbackHost, rawNotebookUrl } from './urls.js';
