/**
 * Lambda's control plane in restJson1 (contract §2.3, §7.2): functions with Pending → Active and
 * InProgress → Successful after a few polls, 409 on overlapping updates, the role-propagation
 * failure on CreateFunction, Function URL configs, resource policies with duplicate-Sid conflicts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { unzipFiles } from '@kagg/plugin-api/kit';
import { type AwsFakeState, type FakeFunction, type FakeStatement, RESERVED_ENV_KEYS } from './state.js';

export interface JsonReply {
  status: number;
  body?: unknown;
  errorType?: string;
}

export interface LambdaSettings {
  pendingPolls: number;
  updatePolls: number;
  /** Base URL of the fake, for FunctionUrl values. */
  baseUrl: string;
  zipLimit: number;
  unzippedLimit: number;
  /** Called when a function's code or configuration changes or it is deleted. */
  retire(fn: FakeFunction): void;
}

export const RUNTIMES = new Set(['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14']);

export function lambdaError(status: number, type: string, message: string): JsonReply {
  return { status, errorType: type, body: { Type: 'User', message } };
}

const notFound = (name: string) =>
  lambdaError(
    404,
    'ResourceNotFoundException',
    `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  );

function configuration(fn: FakeFunction): Record<string, unknown> {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    Environment: { Variables: fn.environment },
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(fn.state === 'Pending' ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
    LastUpdateStatus: fn.lastUpdateStatus,
    ...(fn.lastUpdateStatus === 'InProgress'
      ? { LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' }
      : {}),
    PackageType: 'Zip',
    Architectures: fn.architectures,
    EphemeralStorage: { Size: fn.ephemeralStorage },
  };
}

function urlConfig(fn: FakeFunction, baseUrl: string): Record<string, unknown> {
  const url = fn.url;
  if (!url) return {};
  return {
    FunctionUrl: `${baseUrl}/fn/${fn.name}/`,
    FunctionArn: fn.arn,
    AuthType: url.authType,
    CreationTime: url.creationTime,
    LastModifiedTime: url.lastModifiedTime,
    InvokeMode: url.invokeMode,
    ...(url.cors ? { Cors: url.cors } : {}),
  };
}

type Body = Record<string, unknown>;

function str(body: Body, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function invalid(message: string): JsonReply {
  return lambdaError(400, 'InvalidParameterValueException', message);
}

interface CodeInput {
  zip: Uint8Array;
}

function readCode(state: AwsFakeState, body: Body, settings: LambdaSettings): CodeInput | JsonReply {
  const code = (typeof body.Code === 'object' && body.Code !== null ? body.Code : body) as Body;
  let zip: Uint8Array;
  if (typeof code.ZipFile === 'string') {
    zip = new Uint8Array(Buffer.from(code.ZipFile, 'base64'));
    if (zip.byteLength > settings.zipLimit) {
      return lambdaError(
        413,
        'RequestEntityTooLargeException',
        'Request must be smaller than 70167211 bytes for the CreateFunction operation',
      );
    }
  } else if (typeof code.S3Bucket === 'string' && typeof code.S3Key === 'string') {
    const object = state.buckets.get(code.S3Bucket)?.get(code.S3Key);
    if (!object) {
      return invalid(
        `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.`,
      );
    }
    zip = object;
  } else {
    return invalid('Please provide a source for function code (ZipFile or S3Bucket and S3Key).');
  }
  let unzipped = 0;
  try {
    for (const entry of unzipFiles(zip)) unzipped += entry.data.byteLength;
  } catch {
    return invalid('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  if (unzipped > settings.unzippedLimit) {
    return invalid(`Unzipped size must be smaller than ${settings.unzippedLimit} bytes`);
  }
  return { zip };
}

function setCode(fn: FakeFunction, zip: Uint8Array): void {
  fn.zip = zip;
  fn.codeSha256 = createHash('sha256').update(zip).digest('base64');
  fn.codeSize = zip.byteLength;
  let unzipped = 0;
  for (const entry of unzipFiles(zip)) unzipped += entry.data.byteLength;
  fn.unzippedSize = unzipped;
}

function checkSettings(body: Body): JsonReply | undefined {
  if (body.Runtime !== undefined && !RUNTIMES.has(String(body.Runtime))) {
    return invalid(
      `Value ${String(body.Runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set`,
    );
  }
  if (body.MemorySize !== undefined) {
    const m = Number(body.MemorySize);
    if (!Number.isInteger(m) || m < 128 || m > 10240) {
      return invalid(
        `Value ${m} at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240`,
      );
    }
  }
  if (body.Timeout !== undefined) {
    const t = Number(body.Timeout);
    if (!Number.isInteger(t) || t < 1 || t > 900) {
      return invalid(`Value ${t} at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900`);
    }
  }
  if (body.Architectures !== undefined) {
    const a = body.Architectures;
    if (!Array.isArray(a) || a.length !== 1 || !['x86_64', 'arm64'].includes(String(a[0]))) {
      return invalid("Value at 'architectures' failed to satisfy constraint: exactly one of x86_64, arm64");
    }
  }
  if (body.Environment !== undefined) {
    const vars = (body.Environment as Body).Variables;
    if (vars !== undefined && (typeof vars !== 'object' || vars === null))
      return invalid('Environment.Variables must be a map');
    const reserved = Object.keys(vars ?? {}).filter((k) => RESERVED_ENV_KEYS.has(k));
    if (reserved.length > 0) {
      return invalid(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    if (Buffer.byteLength(JSON.stringify(vars ?? {})) > 4096) {
      return invalid(
        'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.',
      );
    }
  }
  return undefined;
}

function roleName(arn: string): string | undefined {
  const m = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  return m?.[1];
}

function touch(fn: FakeFunction): void {
  fn.lastModified = new Date().toISOString().replace('Z', '+0000');
  fn.revisionId = randomUUID();
  fn.version++;
}

function poll(fn: FakeFunction): void {
  if (fn.pollsLeft > 0) {
    fn.pollsLeft--;
    return;
  }
  if (fn.state === 'Pending') fn.state = 'Active';
  if (fn.lastUpdateStatus === 'InProgress') fn.lastUpdateStatus = 'Successful';
}

function busy(fn: FakeFunction): JsonReply | undefined {
  if (fn.state === 'Pending') {
    return lambdaError(
      409,
      'ResourceConflictException',
      `The operation cannot be performed at this time. The function is currently in the following state: Pending`,
    );
  }
  if (fn.lastUpdateStatus === 'InProgress') {
    return lambdaError(
      409,
      'ResourceConflictException',
      `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`,
    );
  }
  return undefined;
}

function statementMatches(s: FakeStatement, action: string): boolean {
  return s.Action === action;
}

/** Resolves `{FunctionName}` in a path (a name or an ARN). */
function nameOf(raw: string): string {
  const decoded = decodeURIComponent(raw);
  const m = /^arn:aws:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(decoded);
  return m?.[1] ?? decoded;
}

export interface LambdaRoute {
  operation: string;
  run(): JsonReply;
}

function tagMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** TagResource / ListTags / UntagResource on a function ARN. */
function tagsRoute(state: AwsFakeState, method: string, arn: string, body: Body): LambdaRoute | undefined {
  const fn = [...state.functions.values()].find((f) => f.arn === arn);
  const missing = () => lambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  if (method === 'POST') {
    return {
      operation: 'TagResource',
      run: () => {
        if (!fn) return missing();
        Object.assign(fn.tags, tagMap(body.Tags));
        return { status: 204 };
      },
    };
  }
  if (method === 'GET') {
    return { operation: 'ListTags', run: () => (fn ? { status: 200, body: { Tags: fn.tags } } : missing()) };
  }
  return undefined;
}

/** Finds the operation for a method and path, or undefined when Lambda has no such route. */
export function routeLambda(
  state: AwsFakeState,
  settings: LambdaSettings,
  method: string,
  pathname: string,
  query: URLSearchParams,
  body: Body,
  region: string,
): LambdaRoute | undefined {
  const tagRoute = /^\/2017-03-31\/tags\/(.+)$/.exec(pathname);
  if (tagRoute) return tagsRoute(state, method, decodeURIComponent(tagRoute[1] ?? ''), body);
  const fnRoute = /^\/(2015-03-31|2021-10-31)\/functions(?:\/([^/]+)(\/.*)?)?$/.exec(pathname);
  if (!fnRoute) return undefined;
  const [, apiVersion, rawName, rest = ''] = fnRoute;
  const name = rawName === undefined ? undefined : nameOf(rawName);
  const fn = name === undefined ? undefined : state.functions.get(name);
  const route = (operation: string, run: () => JsonReply): LambdaRoute => ({ operation, run });

  if (apiVersion === '2015-03-31' && name === undefined) {
    if (method === 'POST') {
      return route('CreateFunction', () => {
        const fnName = str(body, 'FunctionName');
        const role = str(body, 'Role');
        if (!fnName || !/^[a-zA-Z0-9-_]{1,64}$/.test(fnName))
          return invalid('FunctionName is required: 1-64 letters, digits, - or _');
        if (!role) return invalid("Value null at 'role' failed to satisfy constraint: Member must not be null");
        if (!body.Code) return invalid("Value null at 'code' failed to satisfy constraint: Member must not be null");
        if (!str(body, 'Runtime') || !str(body, 'Handler')) {
          return invalid(
            'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
          );
        }
        const bad = checkSettings(body);
        if (bad) return bad;
        if (state.functions.has(fnName)) {
          return lambdaError(409, 'ResourceConflictException', `Function already exist: ${fnName}`);
        }
        const iamRole = state.roles.get(roleName(role) ?? '');
        if (!iamRole || iamRole.arn !== role) {
          return invalid('The role defined for the function cannot be assumed by Lambda.');
        }
        if (iamRole.propagationFailuresLeft > 0) {
          iamRole.propagationFailuresLeft--;
          return invalid('The role defined for the function cannot be assumed by Lambda.');
        }
        const code = readCode(state, body, settings);
        if (!('zip' in code)) return code;
        const created: FakeFunction = {
          name: fnName,
          arn: `arn:aws:lambda:${region}:${state.accountId}:function:${fnName}`,
          region,
          role,
          runtime: String(body.Runtime),
          handler: String(body.Handler),
          memorySize: body.MemorySize === undefined ? 128 : Number(body.MemorySize),
          timeout: body.Timeout === undefined ? 3 : Number(body.Timeout),
          architectures: (body.Architectures as string[] | undefined) ?? ['x86_64'],
          environment: ((body.Environment as Body | undefined)?.Variables as Record<string, string>) ?? {},
          ephemeralStorage: Number(((body.EphemeralStorage as Body | undefined)?.Size as number | undefined) ?? 512),
          description: str(body, 'Description') ?? '',
          zip: new Uint8Array(),
          codeSha256: '',
          codeSize: 0,
          unzippedSize: 0,
          lastModified: '',
          revisionId: '',
          state: 'Pending',
          lastUpdateStatus: 'Successful',
          pollsLeft: settings.pendingPolls,
          version: 0,
          statements: [],
          tags: tagMap(body.Tags),
        };
        setCode(created, code.zip);
        touch(created);
        state.functions.set(fnName, created);
        return { status: 201, body: configuration(created) };
      });
    }
    if (method === 'GET') {
      return route('ListFunctions', () => ({
        status: 200,
        body: { Functions: [...state.functions.values()].map((f) => configuration(f)) },
      }));
    }
    return undefined;
  }
  if (name === undefined) return undefined;
  const missing = () => notFound(name);

  if (apiVersion === '2015-03-31') {
    if (rest === '' && method === 'GET') {
      return route('GetFunction', () => {
        if (!fn) return missing();
        poll(fn);
        return {
          status: 200,
          body: {
            Configuration: configuration(fn),
            ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
            Code: { RepositoryType: 'S3', Location: `${settings.baseUrl}/code/${fn.name}.zip` },
          },
        };
      });
    }
    if (rest === '' && method === 'DELETE') {
      return route('DeleteFunction', () => {
        if (!fn) return missing();
        settings.retire(fn);
        state.functions.delete(fn.name);
        return { status: 204 };
      });
    }
    if (rest === '/configuration' && method === 'GET') {
      return route('GetFunctionConfiguration', () => {
        if (!fn) return missing();
        poll(fn);
        return { status: 200, body: configuration(fn) };
      });
    }
    if (rest === '/configuration' && method === 'PUT') {
      return route('UpdateFunctionConfiguration', () => {
        if (!fn) return missing();
        const conflict = busy(fn);
        if (conflict) return conflict;
        const bad = checkSettings(body);
        if (bad) return bad;
        if (body.RevisionId !== undefined && body.RevisionId !== fn.revisionId) {
          return lambdaError(
            412,
            'PreconditionFailedException',
            'The Revision Id provided does not match the latest Revision Id.',
          );
        }
        if (body.Role !== undefined) {
          const iamRole = state.roles.get(roleName(String(body.Role)) ?? '');
          if (!iamRole) return invalid('The role defined for the function cannot be assumed by Lambda.');
          fn.role = String(body.Role);
        }
        if (body.Runtime !== undefined) fn.runtime = String(body.Runtime);
        if (body.Handler !== undefined) fn.handler = String(body.Handler);
        if (body.MemorySize !== undefined) fn.memorySize = Number(body.MemorySize);
        if (body.Timeout !== undefined) fn.timeout = Number(body.Timeout);
        if (body.Description !== undefined) fn.description = String(body.Description);
        if (body.Environment !== undefined) {
          fn.environment = ((body.Environment as Body).Variables as Record<string, string> | undefined) ?? {};
        }
        if (body.EphemeralStorage !== undefined) fn.ephemeralStorage = Number((body.EphemeralStorage as Body).Size);
        fn.lastUpdateStatus = 'InProgress';
        fn.pollsLeft = settings.updatePolls;
        touch(fn);
        settings.retire(fn);
        return { status: 200, body: configuration(fn) };
      });
    }
    if (rest === '/code' && method === 'PUT') {
      return route('UpdateFunctionCode', () => {
        if (!fn) return missing();
        const conflict = busy(fn);
        if (conflict) return conflict;
        if (body.RevisionId !== undefined && body.RevisionId !== fn.revisionId) {
          return lambdaError(
            412,
            'PreconditionFailedException',
            'The Revision Id provided does not match the latest Revision Id.',
          );
        }
        const bad = checkSettings({ Architectures: body.Architectures });
        if (bad) return bad;
        const code = readCode(state, body, settings);
        if (!('zip' in code)) return code;
        setCode(fn, code.zip);
        if (Array.isArray(body.Architectures)) fn.architectures = body.Architectures as string[];
        fn.lastUpdateStatus = 'InProgress';
        fn.pollsLeft = settings.updatePolls;
        touch(fn);
        settings.retire(fn);
        return { status: 200, body: configuration(fn) };
      });
    }
    if (rest === '/policy' && method === 'POST') {
      return route('AddPermission', () => {
        if (!fn) return missing();
        const sid = str(body, 'StatementId');
        const action = str(body, 'Action');
        const principal = str(body, 'Principal');
        if (!sid || !/^[a-zA-Z0-9-_.]{1,100}$/.test(sid))
          return invalid("Value at 'statementId' failed to satisfy constraint");
        if (!action || !/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action))
          return invalid("Value at 'action' failed to satisfy constraint");
        if (!principal)
          return invalid("Value null at 'principal' failed to satisfy constraint: Member must not be null");
        if (fn.statements.some((s) => s.Sid === sid)) {
          return lambdaError(
            409,
            'ResourceConflictException',
            `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          );
        }
        const condition: Record<string, Record<string, string>> = {};
        if (body.FunctionUrlAuthType !== undefined) {
          if (!['NONE', 'AWS_IAM'].includes(String(body.FunctionUrlAuthType)))
            return invalid('FunctionUrlAuthType must be NONE or AWS_IAM');
          if (action !== 'lambda:InvokeFunctionUrl')
            return invalid('FunctionUrlAuthType is only valid with lambda:InvokeFunctionUrl');
          condition.StringEquals = { 'lambda:FunctionUrlAuthType': String(body.FunctionUrlAuthType) };
        }
        if (body.InvokedViaFunctionUrl !== undefined) {
          if (typeof body.InvokedViaFunctionUrl !== 'boolean')
            return invalid('InvokedViaFunctionUrl must be a boolean');
          if (action !== 'lambda:InvokeFunction')
            return invalid('InvokedViaFunctionUrl is only valid with lambda:InvokeFunction');
          condition.Bool = { 'lambda:InvokedViaFunctionUrl': String(body.InvokedViaFunctionUrl) };
        }
        if (typeof body.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': body.SourceArn };
        const statement: FakeStatement = {
          Sid: sid,
          Effect: 'Allow',
          Principal:
            principal === '*'
              ? '*'
              : principal.endsWith('.amazonaws.com')
                ? { Service: principal }
                : { AWS: principal },
          Action: action,
          Resource: fn.arn,
          ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
        };
        fn.statements.push(statement);
        fn.revisionId = randomUUID();
        return { status: 201, body: { Statement: JSON.stringify(statement) } };
      });
    }
    if (rest === '/policy' && method === 'GET') {
      return route('GetPolicy', () => {
        if (!fn) return missing();
        if (fn.statements.length === 0) {
          return lambdaError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
        }
        return {
          status: 200,
          body: {
            Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: fn.statements }),
            RevisionId: fn.revisionId,
          },
        };
      });
    }
    const removeRoute = /^\/policy\/([^/]+)$/.exec(rest);
    if (removeRoute && method === 'DELETE') {
      return route('RemovePermission', () => {
        if (!fn) return missing();
        const sid = decodeURIComponent(removeRoute[1] ?? '');
        if (!fn.statements.some((s) => s.Sid === sid)) {
          return lambdaError(404, 'ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`);
        }
        fn.statements = fn.statements.filter((s) => s.Sid !== sid);
        fn.revisionId = randomUUID();
        return { status: 204 };
      });
    }
    return undefined;
  }

  // 2021-10-31: Function URL configs.
  if (rest !== '/url') return undefined;
  if (query.has('Qualifier') && query.get('Qualifier') !== '$LATEST') {
    return route('FunctionUrlConfig', () => invalid('kagg fake: only the unqualified function has a URL'));
  }
  const authType = () => {
    const a = str(body, 'AuthType');
    return a === 'NONE' || a === 'AWS_IAM' ? a : undefined;
  };
  if (method === 'GET') {
    return route('GetFunctionUrlConfig', () => {
      if (!fn) return missing();
      if (!fn.url) return lambdaError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
      return { status: 200, body: urlConfig(fn, settings.baseUrl) };
    });
  }
  if (method === 'POST') {
    return route('CreateFunctionUrlConfig', () => {
      if (!fn) return missing();
      const auth = authType();
      if (!auth)
        return invalid(
          "Value at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
        );
      if (fn.url) {
        return lambdaError(
          409,
          'ResourceConflictException',
          `Failed to create function url config for [functionArn = ${fn.arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      }
      const now = new Date().toISOString();
      fn.url = {
        authType: auth,
        urlId: randomUUID().replace(/-/g, '').slice(0, 26),
        creationTime: now,
        lastModifiedTime: now,
        cors: body.Cors,
        invokeMode: str(body, 'InvokeMode') ?? 'BUFFERED',
      };
      const reply = urlConfig(fn, settings.baseUrl);
      delete reply.LastModifiedTime;
      return { status: 201, body: reply };
    });
  }
  if (method === 'PUT') {
    return route('UpdateFunctionUrlConfig', () => {
      if (!fn) return missing();
      if (!fn.url) return lambdaError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
      if (body.AuthType !== undefined) {
        const auth = authType();
        if (!auth) return invalid("Value at 'authType' failed to satisfy constraint");
        fn.url.authType = auth;
      }
      if (body.Cors !== undefined) fn.url.cors = body.Cors;
      if (body.InvokeMode !== undefined) fn.url.invokeMode = String(body.InvokeMode);
      fn.url.lastModifiedTime = new Date().toISOString();
      return { status: 200, body: urlConfig(fn, settings.baseUrl) };
    });
  }
  if (method === 'DELETE') {
    return route('DeleteFunctionUrlConfig', () => {
      if (!fn) return missing();
      if (!fn.url) return lambdaError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
      fn.url = undefined;
      return { status: 204 };
    });
  }
  return undefined;
}

/** True when the resource policy lets anyone call the URL: both statements of contract §2.6. */
export function publicUrlAllowed(fn: FakeFunction): boolean {
  const urlGrant = fn.statements.some(
    (s) =>
      statementMatches(s, 'lambda:InvokeFunctionUrl') &&
      s.Principal === '*' &&
      s.Condition?.StringEquals?.['lambda:FunctionUrlAuthType'] === 'NONE',
  );
  const invokeGrant = fn.statements.some(
    (s) =>
      statementMatches(s, 'lambda:InvokeFunction') &&
      s.Principal === '*' &&
      (s.Condition === undefined || s.Condition.Bool?.['lambda:InvokedViaFunctionUrl'] === 'true'),
  );
  return urlGrant && invokeGrant;
}
