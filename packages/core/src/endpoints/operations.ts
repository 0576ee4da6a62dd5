/**
 * What kagg does with a registered endpoint: describe it, destroy it, read its logs, call it. Each
 * finds the endpoint's target among the installed plugins.
 */

import type { DeploymentStatus, DeployTarget, Invocation, LogEvent, OperationContext } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import type { Settings } from '../config/settings.js';
import { type ContextDeps, operationContext } from '../deploy/context.js';
import { isKaggError, KaggError } from '../errors/index.js';
import type { EndpointRegistry } from '../registry/registry.js';
import type { EndpointEntry } from '../registry/types.js';
import { ensureTarget, type PluginInstaller } from '../targets/install.js';
import { resolveTargetOptions } from '../targets/options.js';
import { type LogsRequest, readLogs } from './logs.js';

export interface EndpointDeps extends ContextDeps {
  config: Pick<Config, 'runHook'>;
  registry: EndpointRegistry;
  settings?: Settings;
  /** Installs a missing first-party target plugin (with consent); without it, a missing one is an error. */
  installer?: PluginInstaller;
}

async function targetOf(deps: EndpointDeps, entry: EndpointEntry): Promise<DeployTarget> {
  if (entry.legacy) {
    throw new KaggError(
      `"${entry.name}" was imported from kagg.py's registry; kagg did not deploy it and cannot manage it`,
      {
        code: 'ENDPOINT_IMPORTED',
        action: `redeploy it with \`kagg deploy NOTEBOOK --name ${entry.name}\`, or forget it with \`kagg endpoints remove ${entry.name}\``,
      },
    );
  }
  return ensureTarget(deps.config, entry.target, deps.installer);
}

/**
 * The context of an operation on an existing endpoint, with the target's settings (settings file,
 * secrets from their environment variables, `--set`): every operation gets them, not only deploy.
 */
async function endpointContext(
  deps: EndpointDeps,
  target: DeployTarget,
  set: string[] = [],
): Promise<OperationContext> {
  const ctx = await operationContext(target.id, deps);
  const fromSettings = deps.settings?.targets?.[target.id];
  ctx.options = await resolveTargetOptions(target, {
    common: {},
    set,
    ...(fromSettings ? { fromSettings } : {}),
    // --set given: the user means these settings, so they must be valid.
    partial: set.length === 0,
  });
  return ctx;
}

export async function describeEndpoint(
  deps: EndpointDeps,
  name: string,
): Promise<{ endpoint: EndpointEntry; status: DeploymentStatus }> {
  const endpoint = await deps.registry.require(name);
  if (endpoint.legacy) return { endpoint, status: { state: 'ready', detail: 'imported; status unknown' } };
  const target = await targetOf(deps, endpoint);
  return { endpoint, status: await target.describe(endpoint, await endpointContext(deps, target)) };
}

export async function destroyEndpoint(
  deps: EndpointDeps,
  name: string,
  options: { keepRegistry?: boolean; set?: string[]; keepLogs?: boolean } = {},
): Promise<EndpointEntry> {
  const endpoint = await deps.registry.require(name);
  const target = await targetOf(deps, endpoint);
  const ctx = await endpointContext(deps, target, options.set);
  if (options.keepLogs) ctx.keepLogs = true;
  await target.destroy(endpoint, ctx);
  if (!options.keepRegistry) await deps.registry.remove(name);
  return endpoint;
}

export async function endpointLogs(
  deps: EndpointDeps,
  name: string,
  request: LogsRequest = {},
  onEvents: (events: LogEvent[]) => void = () => {},
): Promise<LogEvent[]> {
  const endpoint = await deps.registry.require(name);
  const target = await targetOf(deps, endpoint);
  return readLogs(target, endpoint, await endpointContext(deps, target), request, onEvents);
}

export interface InvokeRequest {
  /** A registry name or a URL. */
  endpoint: string;
  method: string;
  body?: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface InvokeResult {
  url: string;
  status: number;
  headers: Record<string, string>;
  /** The response body, parsed when it is JSON. */
  body: unknown;
}

/** How to call an endpoint: its URL, the headers it needs (a function key) and, for private endpoints, a signer. */
export interface ResolvedInvocation extends Invocation {
  /** The registry name, or the URL when a URL was given. */
  name: string;
  /** The endpoint's target id (`url` when a URL was given). */
  target: string;
}

/**
 * Resolves a registry name (through its target's `invocation()`: signed AWS URLs, Azure keys) or a
 * plain URL into what a caller needs to reach it. Every command that calls endpoints goes through here.
 */
export async function resolveInvocation(deps: EndpointDeps, endpoint: string): Promise<ResolvedInvocation> {
  if (/^https?:\/\//i.test(endpoint)) return { name: endpoint, target: 'url', url: endpoint, headers: {} };
  const entry = await deps.registry.require(endpoint);
  if (entry.legacy) return { name: endpoint, target: entry.target, url: entry.url, headers: {} };
  const target = await targetOf(deps, entry);
  return {
    name: endpoint,
    target: entry.target,
    ...(await target.invocation(entry, await endpointContext(deps, target))),
  };
}

export async function invokeEndpoint(deps: EndpointDeps, request: InvokeRequest): Promise<InvokeResult> {
  const invocation = await resolveInvocation(deps, request.endpoint);
  const url = invocation.url;
  const headers: Record<string, string> = { ...invocation.headers, ...request.headers };
  const sign = invocation.sign;
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : (request.body ?? '{}');
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (sign) Object.assign(headers, await sign({ method: request.method, url, headers, body: body ?? '' }));
  const { createHttpClient } = await import('../http/client.js');
  let response: Awaited<ReturnType<ReturnType<typeof createHttpClient>['request']>>;
  try {
    response = await createHttpClient({ timeoutMs: request.timeoutMs, retries: 2 }).request({
      method: request.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      responseType: 'text',
      // The notebook's answer, error or not, is the result: only 429s and unsent requests are retried.
      idempotent: false,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } catch (error) {
    if (!isKaggError(error) || error.code !== 'HTTP_NETWORK') throw error;
    throw new KaggError(error.message, {
      code: 'INVOKE_UNREACHABLE',
      action: /^https?:\/\//i.test(request.endpoint)
        ? 'check that the URL is right and its server is running, or raise --timeout'
        : `check it with \`kagg endpoints show ${request.endpoint}\``,
    });
  }
  const text = response.text;
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
  }
  const kept: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    if (key.startsWith('x-kagg-') || key === 'content-type') kept[key] = value;
  });
  return { url, status: response.status, headers: kept, body: parsed };
}
