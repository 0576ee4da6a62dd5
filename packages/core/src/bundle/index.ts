export { bundleHash, type CreateBundleInput, createBundle } from './bundle.js';
export { mergeRequirements, normalizeName, parseRequirementsText, requirementName } from './requirements.js';
export { unzipFiles, type ZipEntry, zipFiles } from './zip.js';
