export { type EngineEndpoint, resolveEngine } from './engine.js';
export { type ContainerOptions, containerOptionsSchema } from './options.js';
export { containerTarget } from './target.js';
