export * from './convert.js';
export * from './ipython.js';
export * from './model.js';
export { literalType, parseParameters } from './parameters.js';
export { pyString } from './python-string.js';
export * from './read.js';
