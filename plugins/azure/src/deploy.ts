/**
 * `deploy` for the azure target (contract §4.2): resource group, storage account + listKeys, the
 * deployment container, the FC1 plan, the site with functionAppConfig, then One Deploy with a remote
 * build, the invoke URL from listFunctions and (keyed apps) the function key. Every step reads what
 * is there first, so an unchanged deployment writes nothing and an interrupted one is finished by
 * the next run. Ids are recorded with ctx.record before the resources exist.
 */
import { createHash } from 'node:crypto';
import type { Site } from '@azure/arm-appservice';
import { registerSecret } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import { sleep } from '@kagg/core/http';
import type { Artifact, DeployContext, Deployment } from '@kagg/plugin-api';
import { type AzureSeam, AzureSession, azureErrorOf, envOf, pollMsOf, subscriptionOf } from './arm.js';
import { fetchFunctionKey, storeKey } from './keys.js';
import { publish } from './kudu.js';
import {
  type AzureNames,
  CONNECTION_SETTING,
  CONTAINER,
  ENDPOINT_TAG,
  MANAGED_BY_TAG,
  namesOf,
  PACKAGE_TAG,
} from './names.js';
import {
  type AzureOptions,
  checkSettings,
  type ResolvedAzureOptions,
  resolveAzureOptions,
  siteNameOf,
} from './options.js';

export function packageSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('hex');
}

export function locationOf(options: ResolvedAzureOptions, seam: AzureSeam): string {
  return options.region ?? envOf(seam).AZURE_LOCATION ?? 'westeurope';
}

/** The site body kagg wants (contract §4.4): never an app setting Flex rejects. */
export function siteBody(
  n: AzureNames,
  options: ResolvedAzureOptions,
  location: string,
  settings: Record<string, string>,
  tags: Record<string, string>,
): Site {
  return {
    location,
    kind: 'functionapp,linux',
    tags,
    serverFarmId: `/subscriptions/${n.subscription}/resourceGroups/${n.resourceGroup}/providers/Microsoft.Web/serverfarms/${n.plan}`,
    reserved: true,
    httpsOnly: true,
    siteConfig: { appSettings: Object.entries(settings).map(([name, value]) => ({ name, value })) },
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer',
          value: `https://${n.storageAccount}.blob.core.windows.net/${CONTAINER}`,
          authentication: {
            type: 'StorageAccountConnectionString',
            storageAccountConnectionStringName: CONNECTION_SETTING,
          },
        },
      },
      runtime: { name: 'python', version: options.pythonVersion },
      scaleAndConcurrency: { instanceMemoryMB: options.memory, maximumInstanceCount: options.maxInstances },
    },
  };
}

function sameSettings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** What differs between the site Azure has and the one wanted (empty: nothing to write). */
export function siteChanges(current: Site, currentSettings: Record<string, string>, desired: Site): string[] {
  const changes: string[] = [];
  const c = current.functionAppConfig;
  const d = desired.functionAppConfig;
  if (c?.runtime?.version !== d?.runtime?.version) changes.push('python version');
  if (c?.scaleAndConcurrency?.instanceMemoryMB !== d?.scaleAndConcurrency?.instanceMemoryMB) changes.push('memory');
  if (c?.scaleAndConcurrency?.maximumInstanceCount !== d?.scaleAndConcurrency?.maximumInstanceCount)
    changes.push('max instances');
  if (c?.deployment?.storage?.value !== d?.deployment?.storage?.value) changes.push('deployment storage');
  const wanted = Object.fromEntries((desired.siteConfig?.appSettings ?? []).map((s) => [s.name ?? '', s.value ?? '']));
  if (!sameSettings(currentSettings, wanted)) changes.push('app settings');
  for (const [k, v] of Object.entries(desired.tags ?? {}))
    if (k !== PACKAGE_TAG && current.tags?.[k] !== v) changes.push('tags');
  return [...new Set(changes)];
}

/** Creates the missing resource group, recording first that kagg made it (destroy may delete it). */
async function createGroup(
  s: AzureSession,
  n: AzureNames,
  location: string,
  ctx: DeployContext<AzureOptions>,
  written: Set<string>,
) {
  const { resources } = await s.clients();
  await ctx.record?.({ groupCreated: 1 });
  ctx.progress('creating the resource group', `${n.resourceGroup} (${location})`);
  await s.must('create resource group', () =>
    resources.resourceGroups.createOrUpdate(
      n.resourceGroup,
      { location, tags: { [MANAGED_BY_TAG]: 'kagg' } },
      { abortSignal: ctx.signal },
    ),
  );
  written.add('group');
}

async function ensureStorage(
  s: AzureSession,
  n: AzureNames,
  location: string,
  tags: Record<string, string>,
  ctx: DeployContext<AzureOptions>,
  written: Set<string>,
): Promise<string> {
  const { storage } = await s.clients();
  const opts = { abortSignal: ctx.signal, updateIntervalInMs: pollMsOf(s.seam) };
  const account = await s.call(
    'get storage account',
    () => storage.storageAccounts.getProperties(n.resourceGroup, n.storageAccount, opts),
    true,
  );
  if (!account) {
    ctx.progress('creating the storage account', n.storageAccount);
    await s.must('create storage account', () =>
      storage.storageAccounts.create(
        n.resourceGroup,
        n.storageAccount,
        {
          location,
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          tags,
          minimumTlsVersion: 'TLS1_2',
          allowBlobPublicAccess: false,
        },
        opts,
      ),
    );
    written.add('storage');
  }
  const keys = await s.must('list storage keys', () =>
    storage.storageAccounts.listKeys(n.resourceGroup, n.storageAccount, opts),
  );
  const key = keys.keys?.[0]?.value;
  if (!key) throw new KaggError(`the storage account ${n.storageAccount} has no keys`, { code: 'AZURE_CALL_FAILED' });
  registerSecret(key);
  const connection = `DefaultEndpointsProtocol=https;AccountName=${n.storageAccount};AccountKey=${key};EndpointSuffix=core.windows.net`;
  registerSecret(connection);
  const container = await s.call(
    'get deployment container',
    () => storage.blobContainers.get(n.resourceGroup, n.storageAccount, CONTAINER, opts),
    true,
  );
  if (!container) {
    ctx.progress('creating the deployment container', CONTAINER);
    await s.must('create deployment container', () =>
      storage.blobContainers.create(n.resourceGroup, n.storageAccount, CONTAINER, {}, opts),
    );
    written.add('storage');
  }
  return connection;
}

async function ensurePlan(
  s: AzureSession,
  n: AzureNames,
  location: string,
  tags: Record<string, string>,
  ctx: DeployContext<AzureOptions>,
  written: Set<string>,
) {
  const { web } = await s.clients();
  const opts = { abortSignal: ctx.signal, updateIntervalInMs: pollMsOf(s.seam) };
  if (await s.call('get plan', () => web.appServicePlans.get(n.resourceGroup, n.plan, opts), true)) return;
  ctx.progress('creating the Flex Consumption plan', `${n.plan} (FC1)`);
  await s.must('create plan', () =>
    web.appServicePlans.createOrUpdate(
      n.resourceGroup,
      n.plan,
      { location, kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true, tags },
      opts,
    ),
  );
  written.add('plan');
}

/** A site with the endpoint's name that kagg did not make for this endpoint is refused unless --adopt. */
function checkOwnership(site: Site, n: AzureNames, ctx: DeployContext<AzureOptions>): void {
  const owner = site.tags?.[ENDPOINT_TAG];
  if (site.tags?.[MANAGED_BY_TAG] === 'kagg' && owner === ctx.name) return;
  if (ctx.adopt) return;
  throw new KaggError(
    `a function app named ${n.site} already exists in ${n.resourceGroup} and kagg did not create it for the endpoint "${ctx.name}"${owner ? ` (it belongs to the kagg endpoint "${owner}")` : ''}`,
    {
      code: 'AZURE_NAME_TAKEN',
      action: 'choose another --name, or take the app over with --adopt (its code and settings will be replaced)',
    },
  );
}

async function putSite(s: AzureSession, n: AzureNames, body: Site, ctx: DeployContext<AzureOptions>): Promise<Site> {
  const { web } = await s.clients();
  // arm-appservice 19 reduces Microsoft.Web's {Code, Message} to "Unexpected status code": keep the raw body.
  let failure: string | undefined;
  const onResponse = (r: { status: number; bodyAsText?: string | null }) => {
    if (r.status >= 400 && r.bodyAsText) failure = r.bodyAsText;
  };
  try {
    ctx.signal.throwIfAborted();
    return await web.webApps.createOrUpdate(n.resourceGroup, n.site, body, {
      abortSignal: ctx.signal,
      updateIntervalInMs: pollMsOf(s.seam),
      onResponse,
    });
  } catch (error) {
    ctx.signal.throwIfAborted();
    const e = azureErrorOf(failure ? Object.assign(error as object, { response: { bodyAsText: failure } }) : error);
    if (e.status === 409)
      throw new KaggError(`the function app name ${n.site} is taken in Azure (site names are global): ${e.message}`, {
        code: 'AZURE_NAME_TAKEN',
        action: 'choose another --name for the endpoint',
      });
    throw s.explain(e, 'create or update the function app');
  }
}

function scmHostOf(site: Site, name: string): string {
  const scm = site.hostNameSslStates?.find((h) => h.hostType === 'Repository')?.name;
  if (!scm) throw new KaggError(`Azure gave no SCM host for ${name}`, { code: 'AZURE_CALL_FAILED' });
  return scm;
}

/** listFunctions fills in only after the host indexed the app: poll it. Returns the invoke URL. */
async function invokeUrl(s: AzureSession, n: AzureNames, ctx: DeployContext<AzureOptions>): Promise<string> {
  const { web } = await s.clients();
  for (let attempt = 1; attempt <= 30; attempt++) {
    const list = await s.must('list functions', async () => {
      const out = [];
      for await (const f of web.webApps.listFunctions(n.resourceGroup, n.site, { abortSignal: ctx.signal }))
        out.push(f);
      return out;
    });
    const template = list.find((f) => f.invokeUrlTemplate)?.invokeUrlTemplate;
    if (template) return template.replace(/\{\*?\w+\}$/, '');
    ctx.progress('waiting for the host to index the function', `attempt ${attempt}`);
    await sleep(pollMsOf(s.seam), ctx.signal);
  }
  throw new KaggError(`the function app ${n.site} lists no function after the deploy`, {
    code: 'AZURE_NO_FUNCTION',
    action: 'look at the app in the portal (Functions blade) for an indexing error, then run kagg deploy again',
  });
}

export async function deployToAzure(
  artifact: Artifact,
  ctx: DeployContext<AzureOptions>,
  seam: AzureSeam,
): Promise<Deployment> {
  const options = resolveAzureOptions(ctx.options);
  const subscription = subscriptionOf(options.subscription, seam);
  const n = namesOf(subscription, options.resourceGroup, ctx.resourceName ?? siteNameOf(ctx.name));
  const location = locationOf(options, seam);
  const settingsEnv = { ...options.environment, ...ctx.env };
  checkSettings(settingsEnv);
  for (const value of Object.values(settingsEnv)) registerSecret(value);
  const written = new Set<string>();
  const s = new AzureSession(subscription, seam, ctx);
  const { web } = await s.clients();
  const tags = { [MANAGED_BY_TAG]: 'kagg', [ENDPOINT_TAG]: ctx.name };
  ctx.progress('looking up the function app', `${n.site} in ${n.resourceGroup}`);
  const groupExists = await s.call(
    'get resource group',
    async () => (await s.clients()).resources.resourceGroups.get(n.resourceGroup, { abortSignal: ctx.signal }),
    true,
  );
  const existing = groupExists
    ? await s.call(
        'get function app',
        () => web.webApps.get(n.resourceGroup, n.site, { abortSignal: ctx.signal }),
        true,
      )
    : undefined;
  if (existing) checkOwnership(existing, n, ctx);
  await ctx.record?.({ ...n });
  if (!groupExists) await createGroup(s, n, location, ctx, written);
  const connection = await ensureStorage(s, n, location, tags, ctx, written);
  await ensurePlan(s, n, location, tags, ctx, written);
  const settings = { AzureWebJobsStorage: connection, [CONNECTION_SETTING]: connection, ...settingsEnv };
  const codeSha = packageSha256(artifact.zip);
  const deployedSha = existing?.tags?.[PACKAGE_TAG];
  let site = existing;
  const desired = (sha?: string) =>
    siteBody(n, options, location, settings, { ...tags, ...(sha ? { [PACKAGE_TAG]: sha } : {}) });
  if (!site) {
    ctx.progress('creating the function app', `${n.site} (Python ${options.pythonVersion}, ${options.memory} MB)`);
    site = await putSite(s, n, desired(), ctx);
    written.add('config');
  } else {
    const current = await s.must('list app settings', () =>
      web.webApps.listApplicationSettings(n.resourceGroup, n.site, { abortSignal: ctx.signal }),
    );
    const changes = siteChanges(site, (current.properties ?? {}) as Record<string, string>, desired(deployedSha));
    if (changes.length > 0) {
      ctx.progress('updating the function app', changes.join(', '));
      site = await putSite(s, n, desired(deployedSha), ctx);
      written.add('config');
    }
  }
  if (deployedSha !== codeSha || !existing) {
    await publish(s, scmHostOf(site, n.site), n.site, artifact.zip);
    written.add('code');
    ctx.progress('recording the deployed package', n.site);
    site = await putSite(s, n, desired(codeSha), ctx);
  } else ctx.progress('code unchanged', n.site);
  const url = await invokeUrl(s, n, ctx);
  if (!options.public) {
    ctx.progress('reading the function key');
    await storeKey(n.site, await fetchFunctionKey(s, n.resourceGroup, n.site), seam);
  }
  return {
    target: 'azure',
    name: ctx.name,
    url,
    auth: options.public ? 'public' : 'private',
    bundleHash: artifact.bundle.hash,
    region: location,
    providerIds: {
      subscription,
      resourceGroup: n.resourceGroup,
      site: n.site,
      plan: n.plan,
      storageAccount: n.storageAccount,
      ...(ctx.previous?.providerIds.groupCreated || written.has('group') ? { groupCreated: 1 } : {}),
    },
    written: [...written],
  };
}
