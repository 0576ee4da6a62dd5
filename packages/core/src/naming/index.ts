/**
 * Provider-safe resource names, decided once for every target: the rule lives in
 * @kagg/plugin-api/kit, where target authors and @kagg/testkit get it too.
 */
export { DEFAULT_NAMING, resourceNameOf } from '@kagg/plugin-api/kit';
