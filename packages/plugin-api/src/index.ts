/**
 * @kagg/plugin-api — the whole contract a kagg plugin author needs.
 *
 * A plugin contributes deploy targets by registering an oclif hook named `kagg:targets` whose
 * function returns `DeployTarget[]`, and may transform notebooks before packaging through the
 * `kagg:transform` hook. Types and tiny helpers only: no runtime dependency, so every plugin can
 * carry its own copy without conflict. kagg checks targets by shape, never with `instanceof`.
 *
 * docs/plugins.md walks through writing a target in one page.
 */

/** The contract version this package describes. kagg refuses targets built for another one. */
export const apiVersion = 1 as const;
/** Contract versions the running kagg accepts. */
export const supportedApiVersions: readonly number[] = [1];

/** Names of the oclif hooks kagg runs. */
export const hooks = {
  /** Gathers deploy targets: `(options: TargetsHookOptions) => Promise<DeployTarget[]>`. */
  targets: 'kagg:targets',
  /** Lets plugins inspect or rewrite a notebook before it is bundled. */
  transform: 'kagg:transform',
} as const;

/** How a `TargetError` ends the command: `failure` exits 1 (the work failed), `usage` exits 2 (bad input). */
export type TargetErrorKind = 'failure' | 'usage';

export interface TargetErrorOptions {
  /** Stable machine-readable code, upper-case with underscores: `EXAMPLE_TOKEN_MISSING`. Default `FAILED`. */
  code?: string;
  /** `usage` (exit 2) for a setting or input the user must change; `failure` (exit 1, default) otherwise. */
  kind?: TargetErrorKind;
  /** What the user can do about it: "set EXAMPLE_TOKEN", "run `kagg doctor`". */
  action?: string;
  /** Extra facts for `--json` output. Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The error a target throws to fail well: kagg prints its message and action, uses its code in
 * `--json` (`{"error": {code, message, action}}`) and exits 1 (failure) or 2 (usage), exactly as for
 * its own errors. Anything else a target throws is reported as a bug in its plugin (code `PLUGIN_BUG`).
 * kagg recognises it by shape (`isTargetError`), never with `instanceof`.
 */
export class TargetError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;
  readonly action: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: TargetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TargetError';
    this.code = options.code ?? (options.kind === 'usage' ? 'USAGE' : 'FAILED');
    this.exitCode = options.kind === 'usage' ? 2 : 1;
    this.action = options.action;
    this.details = options.details;
  }
}

/**
 * True for an error kagg renders as a refusal or failure with a code and an action: a `TargetError`
 * from any copy of this package (or kagg's own error), recognised by shape: an Error with a string
 * `code`, an `exitCode` of 1 or 2, and an optional string `action`.
 */
export function isTargetError(value: unknown): value is TargetError {
  if (!(value instanceof Error)) return false;
  const e = value as Error & { code?: unknown; exitCode?: unknown; action?: unknown };
  return (
    typeof e.code === 'string' &&
    (e.exitCode === 1 || e.exitCode === 2) &&
    (e.action === undefined || typeof e.action === 'string')
  );
}

/**
 * The default settings type of a target: any object type, an `interface` included (an interface has
 * no index signature, so `Record<string, unknown>` would refuse it). Give your own:
 * `DeployTarget<MyOptions>`, which then fits wherever a `DeployTarget` is expected, without a cast.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one place `any` lets every options interface fit.
export type AnyOptions = Record<string, any>;

/** A JSON Schema object (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;

/**
 * The settings type a JSON Schema describes, so options are written once: declare the schema
 * `as const` and derive the type from it (`type MyOptions = FromSchema<typeof mySchema>`).
 * Understands `enum`, `const`, `type` (string, integer, number, boolean, null, array with `items`,
 * object with `properties`, `required` and `additionalProperties`); anything else is `unknown`.
 */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { const: infer C }
    ? C
    : S extends { type: 'string' }
      ? string
      : S extends { type: 'integer' | 'number' }
        ? number
        : S extends { type: 'boolean' }
          ? boolean
          : S extends { type: 'null' }
            ? null
            : S extends { type: 'array'; items: infer I }
              ? FromSchema<I>[]
              : S extends { type: 'object'; properties: infer P }
                ? ObjectFromSchema<P, S extends { required: readonly (infer R)[] } ? R : never>
                : S extends { type: 'object'; additionalProperties: infer A extends object }
                  ? Record<string, FromSchema<A>>
                  : S extends { type: 'object' }
                    ? Record<string, unknown>
                    : unknown;

type ObjectFromSchema<P, R> = {
  -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]>;
} & {
  -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
} extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** One file inside a bundle or an artifact. `path` is relative, POSIX-separated, never `..`. */
export interface BundleFile {
  path: string;
  data: Uint8Array;
  /** Unix mode bits; defaults to 0o644. */
  mode?: number;
}

/** A parameter of a notebook's `parameters` cell, as the runtime will accept it. */
export interface NotebookParameter {
  name: string;
  /** Python type name of the default value: int, float, str, bool, list, dict, NoneType. */
  type: string;
  /** The default as Python source text. */
  default: string;
}

/**
 * What every target packages: the converted notebook plus the shared Python runtime.
 * Built by kagg's core from the notebook; targets add their adapter and layout in `package()`.
 */
export interface FunctionBundle {
  /** Endpoint name: lower-case letters, digits and dashes. */
  name: string;
  /** Where the notebook came from, for messages and the registry. */
  source: string;
  /** How requests reach the notebook: its `process_request(payload)`, or its `parameters` cell. */
  entry: 'process_request' | 'parameters';
  parameters: NotebookParameter[];
  /**
   * The function's files: `notebook.py` (the converted notebook), `kagg_runtime.py` (the shared
   * runtime, standard library only), and any bundled files (`%%writefile`, `--include`, outputs).
   */
  files: BundleFile[];
  /** pip requirement lines, sorted and de-duplicated. */
  requirements: string[];
  /** sha256 (hex) over files and requirements: the same notebook always gives the same hash. */
  hash: string;
  /** Conversion notes worth showing the user (dropped magics, shell lines turned into calls). */
  warnings: string[];
}

/** A target's deployable form of a bundle: its provider layout and the zip of it. */
export interface Artifact {
  target: string;
  bundle: FunctionBundle;
  /** Provider layout: the bundle's files plus adapter and settings files. */
  files: BundleFile[];
  /** Deterministic zip of `files` (`zipFiles` from `@kagg/plugin-api/kit`, or your own). */
  zip: Uint8Array;
  /** Provider-specific facts worth keeping (handler name, runtime...). Never secrets. */
  metadata: Record<string, unknown>;
}

/** How an endpoint is reached by callers. */
export type AuthMode = 'public' | 'private';

/** The outcome of a deploy, recorded in kagg's endpoint registry. Never holds a secret. */
export interface Deployment {
  target: string;
  name: string;
  url: string;
  auth: AuthMode;
  bundleHash: string;
  region?: string;
  /** Provider identifiers (function ARN, resource ids, process ids, ports). */
  providerIds: Record<string, string | number>;
  /**
   * What this deploy wrote: `code`, `config`, `auth`, `url`, `role`, `process`... (empty: nothing,
   * the provider already matched). kagg reports `changed: true` only when it is not empty; a target
   * that leaves it out is taken to have written everything. Not recorded in the registry.
   */
  written?: string[];
}

/**
 * How a target's provider names its resources, so kagg can give every endpoint a provider-safe name
 * (`DeployContext.resourceName`): deterministic, distinct for distinct endpoints, within `maxLength`
 * and the provider's alphabet. Without it kagg assumes `{ prefix: 'kagg-', maxLength: 63 }`.
 */
export interface ResourceNaming {
  /** Put before the endpoint name unless the name already starts with it. Default `kagg-`. */
  prefix?: string;
  /** Longest name the provider accepts. Longer names are cut and end in `-` and a short hash. */
  maxLength: number;
}

/** What a caller needs to reach a deployment. */
export interface Invocation {
  url: string;
  /** Extra headers (a function key...). Redacted in every output kagg prints. */
  headers: Record<string, string>;
  /** For private endpoints that need request signing (AWS SigV4): returns headers to add. */
  sign?: (request: InvocationRequest) => Promise<Record<string, string>>;
}

export interface InvocationRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeploymentStatus {
  state: 'ready' | 'pending' | 'failed' | 'missing' | 'stopped';
  detail?: string;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** Which log events `logEvents` returns. */
export interface LogQuery {
  /** Only events at or after this time (ms since the epoch). */
  since?: number;
  /** Only the last `tail` events. */
  tail?: number;
}

export interface LogEvent {
  /** ms since the epoch. */
  timestamp: number;
  message: string;
}

/** Given to every target operation. `O` is the target's settings type. */
export interface OperationContext<O = AnyOptions> {
  /** A folder this target may keep state in (under KAGG_HOME/targets/<id>). */
  stateDir: string;
  /** Folder for logs (under KAGG_HOME/logs). */
  logDir: string;
  /** Report a stage of long work ("creating role", "waiting for Active"). */
  progress(stage: string, detail?: string): void;
  log: Logger;
  /** Aborted on Ctrl-C or timeout: stop promptly and leave nothing half-made that deploy cannot redo. */
  signal: AbortSignal;
  /**
   * The target's settings on every operation: the settings file, secret settings from the
   * environment variables they name, and `--set` when the command takes it (`kagg destroy NAME --set
   * deleteRole=true`). On operations other than deploy they may be incomplete (a `required` setting
   * given by flag at deploy time is not there), hence `Partial`. Optional only for older kagg.
   */
  options?: Partial<O>;
  /** `kagg destroy --keep-logs`: leave the deployment's logs (a log group...) in place. */
  keepLogs?: boolean;
}

export interface DeployContext<O = AnyOptions> extends Omit<OperationContext<O>, 'options'> {
  name: string;
  /** Settings validated against `optionsSchema` (flags > --set > config file). */
  options: O;
  /** The registry entry of a previous deploy under the same name and target, if any. */
  previous?: Deployment;
  /** Environment variables for the function (`--env KEY=VALUE`). */
  env: Record<string, string>;
  /**
   * The provider-safe name kagg chose for this endpoint's resources (see `ResourceNaming`). Optional
   * for compatibility with older kagg; fall back to your own naming when absent.
   */
  resourceName?: string;
  /**
   * `--adopt`: take over a provider resource with `resourceName` that this endpoint did not create.
   * Without it a target refuses such a resource (tags tell whose it is).
   */
  adopt?: boolean;
  /**
   * Records provider ids as they become known, before the resource exists when possible, so an
   * interrupted deploy leaves a registry entry that `kagg destroy` can clean up and the next deploy
   * resumes. Optional for compatibility: call it with `ctx.record?.(...)`.
   */
  record?(providerIds: Record<string, string | number>): Promise<void>;
}

/** What `check` is given: the endpoint and its settings, before anything is packaged or written. */
export interface CheckContext<O = AnyOptions> {
  name: string;
  resourceName: string;
  options: O;
  env: Record<string, string>;
}

/** A place kagg can deploy a notebook to. */
export interface DeployTarget<O = AnyOptions> {
  apiVersion: number;
  /** Short id used by `--target <id>` and in the registry: lower-case, digits, dashes. */
  id: string;
  title: string;
  /** JSON Schema of this target's settings (region, memory, timeout, public...). */
  optionsSchema: JsonSchema;
  /**
   * Optional: the plugin's version. Part of what decides that a redeploy is unchanged, so a new
   * plugin version (a new adapter, a new layout) redeploys.
   */
  version?: string;
  /** Optional: how the provider names resources (length, prefix). */
  naming?: ResourceNaming;
  /**
   * Optional: provider limits the schema cannot express (total environment size, reserved keys,
   * known regions), checked before packaging and before any provider call. Throw to refuse.
   */
  check?(ctx: CheckContext<O>): Promise<void>;
  /** Pure: lays out the provider files and zips them. No network. */
  package(bundle: FunctionBundle, options: O): Promise<Artifact>;
  /** Creates or updates, idempotent; waits until the endpoint answers. */
  deploy(artifact: Artifact, ctx: DeployContext<O>): Promise<Deployment>;
  destroy(deployment: Deployment, ctx: OperationContext<O>): Promise<void>;
  describe(deployment: Deployment, ctx: OperationContext<O>): Promise<DeploymentStatus>;
  /** What callers need; `ctx` (settings included) is optional: older kagg does not pass it. */
  invocation(deployment: Deployment, ctx?: OperationContext<O>): Promise<Invocation>;
  /** Optional: recent log text of a deployment, for `kagg logs` (prefer `logEvents`). */
  logs?(deployment: Deployment, ctx: OperationContext<O>): Promise<string>;
  /**
   * Optional: log events of a deployment, oldest first, for `kagg logs [--since] [--tail] [--follow]`
   * (kagg follows by asking again with `since` set to the last timestamp it printed).
   */
  logEvents?(deployment: Deployment, ctx: OperationContext<O>, query: LogQuery): Promise<LogEvent[]>;
  /** Optional: checks for `kagg doctor` (credentials found, tools present). Never prints secrets. */
  doctor?(ctx?: DoctorContext<O>): Promise<DoctorCheck[]>;
}

/** What `doctor` is given: the target's settings (possibly incomplete), secrets included. */
export interface DoctorContext<O = AnyOptions> {
  options: Partial<O>;
}

export interface DoctorCheck {
  name: string;
  /** false: something kagg needs is broken (✗, `kagg doctor` exits 1). */
  ok: boolean;
  /** With ok: a gap that stops only some commands, e.g. credentials not set up yet (shown as `!`). */
  warning?: boolean;
  detail: string;
}

/** Options kagg passes to `kagg:targets` hooks (none yet; reserved). */
export type TargetsHookOptions = Record<string, never>;

/**
 * The hooks kagg runs, by event: what each is given (`options`) and returns. It fits oclif's hook
 * types: `Hook<'kagg:targets', Hooks & KaggHooks>` from `@oclif/core`, or use `TargetsHook` and
 * `TransformHook` below, which need no oclif import.
 */
export interface KaggHooks {
  'kagg:targets': { options: TargetsHookOptions; return: DeployTarget[] };
  'kagg:transform': { options: TransformInput & Record<string, unknown>; return: TransformResult | undefined };
}

/** The type of a plugin's `kagg:targets` hook: `export default (async () => [myTarget]) satisfies TargetsHook;` */
export type TargetsHook = (
  options?: KaggHooks['kagg:targets']['options'],
) => Promise<KaggHooks['kagg:targets']['return']>;

/**
 * The type of a plugin's `kagg:transform` hook. Every plugin's transform gets the same input (the
 * notebook as kagg read it; transforms run side by side); kagg merges the results: requirements,
 * findings and warnings of all are joined; of rewritten notebooks, the last plugin's wins (transforms
 * do not chain). Return `undefined` to have no say on a notebook.
 */
export type TransformHook = (
  options: KaggHooks['kagg:transform']['options'],
) => Promise<KaggHooks['kagg:transform']['return']>;

/** A notebook as nbformat 4 JSON. */
export interface NotebookDocument {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Array<Record<string, unknown>>;
}

export interface TransformInput {
  notebook: NotebookDocument;
  /** The notebook's path or URL, for messages. */
  source: string;
  /** The local folder holding the notebook, when there is one (local modules, requirements.txt). */
  directory?: string;
}

/** A credential found in a notebook. `preview` is redacted: never the whole secret. */
export interface SecretFinding {
  rule: string;
  description: string;
  cell: number;
  location: 'code' | 'output' | 'metadata';
  line: number;
  preview: string;
}

export interface TransformResult {
  /** Name of the transform, for messages ("preprocess"). */
  id: string;
  /** A rewritten notebook, if this transform changes it. */
  notebook?: NotebookDocument;
  /** pip requirement lines derived from the notebook. */
  requirements?: string[];
  /** Secrets found: kagg refuses to deploy unless --allow-secrets. */
  findings?: SecretFinding[];
  warnings?: string[];
}

/** What a valid target object looks like; returns the reasons it is not one (empty when it is). */
export function targetShapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['is not an object'];
  const t = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof t.id !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(t.id)) {
    problems.push('id must be a lower-case name (letters, digits, dashes)');
  }
  if (typeof t.title !== 'string' || t.title === '') problems.push('title must be a non-empty string');
  if (typeof t.apiVersion !== 'number') problems.push('apiVersion must be a number');
  if (typeof t.optionsSchema !== 'object' || t.optionsSchema === null) {
    problems.push('optionsSchema must be a JSON Schema object');
  }
  for (const method of ['package', 'deploy', 'destroy', 'describe', 'invocation'] as const) {
    if (typeof t[method] !== 'function') problems.push(`${method} must be a function`);
  }
  for (const method of ['check', 'logs', 'logEvents', 'doctor'] as const) {
    if (t[method] !== undefined && typeof t[method] !== 'function') problems.push(`${method} must be a function`);
  }
  if (t.version !== undefined && typeof t.version !== 'string') problems.push('version must be a string');
  const naming = t.naming as Partial<ResourceNaming> | undefined;
  if (
    naming !== undefined &&
    (typeof naming !== 'object' ||
      naming === null ||
      !Number.isInteger(naming.maxLength) ||
      (naming.maxLength as number) < 16 ||
      (naming.prefix !== undefined && (typeof naming.prefix !== 'string' || naming.prefix.length > 8)))
  ) {
    problems.push('naming must be { maxLength: integer >= 16, prefix?: string of at most 8 characters }');
  }
  return problems;
}

/**
 * Declares a deploy target. Fills in `apiVersion` and checks the shape at once, so a mistake is
 * reported where it was made rather than when kagg gathers targets.
 */
export function defineDeployTarget<O = AnyOptions>(
  target: Omit<DeployTarget<O>, 'apiVersion'> & { apiVersion?: number },
): DeployTarget<O> {
  const full = { ...target, apiVersion: target.apiVersion ?? apiVersion } as DeployTarget<O>;
  const problems = targetShapeProblems(full);
  if (problems.length > 0) {
    throw new TypeError(`invalid deploy target ${String(target.id)}: ${problems.join('; ')}`);
  }
  return full;
}
