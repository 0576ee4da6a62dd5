/** The Azure resources of one endpoint, all derived from its site name and recorded before they exist. */
import { createHash } from 'node:crypto';
import type { Deployment } from '@kagg/plugin-api';
import { siteNameOf } from './options.js';

export const MANAGED_BY_TAG = 'managed-by';
export const ENDPOINT_TAG = 'kagg-endpoint';
/** sha256 of the deployed zip, set after a successful One Deploy: the code fingerprint. */
export const PACKAGE_TAG = 'kagg-package';
export const CONTAINER = 'app-package';
export const CONNECTION_SETTING = 'DEPLOYMENT_STORAGE_CONNECTION_STRING';

export interface AzureNames {
  subscription: string;
  resourceGroup: string;
  site: string;
  plan: string;
  storageAccount: string;
}

/** Storage account names are 3–24 lower-case letters and digits, unique across Azure. */
export function storageAccountOf(subscription: string, resourceGroup: string, site: string): string {
  return `kagg${createHash('sha256').update(`${subscription}/${resourceGroup}/${site}`).digest('hex').slice(0, 20)}`;
}

export function namesOf(subscription: string, resourceGroup: string, site: string): AzureNames {
  return {
    subscription,
    resourceGroup,
    site,
    plan: site,
    storageAccount: storageAccountOf(subscription, resourceGroup, site),
  };
}

/** The names a deployment (finished or only recorded) refers to. */
export function namesOfDeployment(
  deployment: Deployment & { resourceName?: string },
  fallback: { subscription: string; resourceGroup: string },
): AzureNames {
  const ids = deployment.providerIds;
  const str = (k: string) => (typeof ids[k] === 'string' && ids[k] !== '' ? (ids[k] as string) : undefined);
  const site = str('site') ?? deployment.resourceName ?? siteNameOf(deployment.name);
  const subscription = str('subscription') ?? fallback.subscription;
  const resourceGroup = str('resourceGroup') ?? fallback.resourceGroup;
  return {
    subscription,
    resourceGroup,
    site,
    plan: str('plan') ?? site,
    storageAccount: str('storageAccount') ?? storageAccountOf(subscription, resourceGroup, site),
  };
}
