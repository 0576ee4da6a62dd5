/** `describe`, `destroy` and `invocation` of the azure target. */
import type { Deployment, DeploymentStatus, Invocation, OperationContext } from '@kagg/plugin-api';
import { type AzureSeam, AzureSession, subscriptionOf } from './arm.js';
import { fetchFunctionKey, forgetKey, readStoredKey, storeKey } from './keys.js';
import { type AzureNames, ENDPOINT_TAG, namesOfDeployment } from './names.js';
import { type AzureOptions, resolveAzureOptions } from './options.js';

function open(deployment: Deployment, ctx: Pick<OperationContext, 'progress' | 'signal' | 'options'>, seam: AzureSeam) {
  const options = resolveAzureOptions(ctx.options as AzureOptions | undefined);
  const recorded = deployment.providerIds.subscription;
  const subscription = typeof recorded === 'string' && recorded ? recorded : subscriptionOf(options.subscription, seam);
  const n = namesOfDeployment(deployment, { subscription, resourceGroup: options.resourceGroup });
  return { n, s: new AzureSession(n.subscription, seam, ctx) };
}

export async function describeAzure(
  deployment: Deployment,
  ctx: OperationContext,
  seam: AzureSeam,
): Promise<DeploymentStatus> {
  const { n, s } = open(deployment, ctx, seam);
  const { web } = await s.clients();
  const site = await s.call(
    'get function app',
    () => web.webApps.get(n.resourceGroup, n.site, { abortSignal: ctx.signal }),
    true,
  );
  if (!site) return { state: 'missing', detail: `no function app ${n.site} in ${n.resourceGroup}` };
  const summary = `Python ${site.functionAppConfig?.runtime?.version ?? '?'}, ${site.functionAppConfig?.scaleAndConcurrency?.instanceMemoryMB ?? '?'} MB, ${n.resourceGroup}/${n.site}`;
  if (site.state && site.state !== 'Running') return { state: 'stopped', detail: `state ${site.state}; ${summary}` };
  const functions = [];
  for await (const f of web.webApps.listFunctions(n.resourceGroup, n.site, { abortSignal: ctx.signal }))
    functions.push(f);
  if (functions.length === 0)
    return { state: 'pending', detail: `no function indexed yet (run kagg deploy again); ${summary}` };
  return { state: 'ready', detail: `${site.state ?? 'Running'}, ${functions.length} function(s); ${summary}` };
}

async function remove(s: AzureSession, what: string, run: () => Promise<unknown>): Promise<void> {
  await s.call(what, run, true);
}

export async function destroyAzure(deployment: Deployment, ctx: OperationContext, seam: AzureSeam): Promise<void> {
  const { n, s } = open(deployment, ctx, seam);
  const { web, resources } = await s.clients();
  const opts = { abortSignal: ctx.signal };
  const site = await s.call('get function app', () => web.webApps.get(n.resourceGroup, n.site, opts), true);
  // A site kagg did not make for this endpoint (a name collision) is never deleted.
  if (site && site.tags?.[ENDPOINT_TAG] === deployment.name) {
    ctx.progress('deleting the function app', n.site);
    await remove(s, 'delete function app', () => web.webApps.delete(n.resourceGroup, n.site, opts));
  }
  if (!site || site.tags?.[ENDPOINT_TAG] === deployment.name) await removeRest(s, n, ctx);
  await forgetKey(n.site, seam);
  const deleteGroup = resolveAzureOptions(ctx.options as AzureOptions | undefined).deleteGroup;
  if (deleteGroup && deployment.providerIds.groupCreated) {
    ctx.progress('deleting the resource group', n.resourceGroup);
    await remove(s, 'delete resource group', () =>
      resources.resourceGroups.delete(n.resourceGroup, { ...opts, updateIntervalInMs: 1000 }),
    );
  }
}

async function removeRest(s: AzureSession, n: AzureNames, ctx: OperationContext): Promise<void> {
  const { web, storage } = await s.clients();
  const opts = { abortSignal: ctx.signal };
  ctx.progress('deleting the plan', n.plan);
  await remove(s, 'delete plan', () => web.appServicePlans.delete(n.resourceGroup, n.plan, opts));
  ctx.progress('deleting the storage account', n.storageAccount);
  await remove(s, 'delete storage account', () =>
    storage.storageAccounts.delete(n.resourceGroup, n.storageAccount, opts),
  );
}

/** Keyed apps: the function key from the 0600 key file, else from Azure (and kept again). */
export async function invocationOf(deployment: Deployment, seam: AzureSeam): Promise<Invocation> {
  if (deployment.auth === 'public') return { url: deployment.url, headers: {} };
  const ctx = { progress: () => {}, signal: new AbortController().signal };
  const { n, s } = open(deployment, ctx, seam);
  let key = await readStoredKey(n.site, seam);
  if (!key) {
    key = await fetchFunctionKey(s, n.resourceGroup, n.site);
    await storeKey(n.site, key, seam);
  }
  return { url: deployment.url, headers: { 'x-functions-key': key } };
}
