export { endpointNameFrom } from '../naming/index.js';
export { type ImportResult, importLegacyRegistry } from './legacy.js';
export { EndpointRegistry } from './registry.js';
export { legacyRegistrySchema, registrySchema } from './schema.js';
export type { EndpointEntry, RegistryFile } from './types.js';
