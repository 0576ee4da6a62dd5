/**
 * Zips: the deterministic writer and its reader are the ones target authors get, from
 * @kagg/plugin-api/kit (written there rather than taken from a library because none promises
 * byte-stable output).
 */
export { unzipFiles, type ZipEntry, zipFiles } from '@kagg/plugin-api/kit';
