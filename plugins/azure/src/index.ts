/** @kagg/plugin-azure: the `azure` deploy target (Azure Functions, Flex Consumption). */
export { type AzureSeam, AzureSession } from './arm.js';
export { deployToAzure, packageSha256, siteBody, siteChanges } from './deploy.js';
export { keyFileOf } from './keys.js';
export { CONNECTION_SETTING, CONTAINER, namesOf, storageAccountOf } from './names.js';
export { type AzureOptions, azureOptionsSchema, resolveAzureOptions, SITE_NAMING, siteNameOf } from './options.js';
export { APP_FILE, hostJson, packageForAzure } from './package.js';
export { azureTarget, createAzureTarget } from './target.js';
