/**
 * CloudWatch Logs in awsJson1.1 (`X-Amz-Target: Logs_20140328.<Operation>`): log groups with tags,
 * the events a function writes (only when its role may write logs, as on AWS), FilterLogEvents with
 * a time window and pagination, DescribeLogGroups, DeleteLogGroup.
 */
import { randomUUID } from 'node:crypto';
import type { JsonReply } from './lambda.js';
import type { AwsFakeState, FakeFunction, FakeLogGroup } from './state.js';

/** The managed policy that lets a function write its logs. */
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const PAGE = 50;

type Body = Record<string, unknown>;

function logsError(type: string, message: string): JsonReply {
  return { status: 400, errorType: type, body: { __type: type, message } };
}

function newGroup(state: AwsFakeState, name: string, region: string, tags: Record<string, string>): FakeLogGroup {
  const group: FakeLogGroup = {
    name,
    arn: `arn:aws:logs:${region}:${state.accountId}:log-group:${name}`,
    creationTime: Date.now(),
    tags,
    events: [],
  };
  state.logGroups.set(name, group);
  return group;
}

/**
 * What Lambda does with a line the function wrote: appended to `/aws/lambda/<name>` (created on
 * first use), provided the execution role carries the basic execution policy; otherwise dropped.
 */
export function appendFunctionLog(state: AwsFakeState, fn: FakeFunction, line: string): void {
  const role = [...state.roles.values()].find((r) => r.arn === fn.role);
  if (!role?.attachedPolicies.includes(BASIC_EXECUTION_POLICY)) return;
  const name = `/aws/lambda/${fn.name}`;
  const group = state.logGroups.get(name) ?? newGroup(state, name, fn.region, {});
  const now = Date.now();
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '/');
  group.events.push({
    timestamp: now,
    ingestionTime: now,
    message: `${line}\n`,
    logStreamName: `${day}/[$LATEST]${fn.revisionId.replace(/-/g, '').slice(0, 32)}`,
    eventId: randomUUID().replace(/-/g, ''),
  });
}

const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);

export function handleLogs(state: AwsFakeState, operation: string, body: Body, region: string): JsonReply {
  const groupName = str(body, 'logGroupName');
  const group = groupName === undefined ? undefined : state.logGroups.get(groupName);
  const missing = () => logsError('ResourceNotFoundException', 'The specified log group does not exist.');
  switch (operation) {
    case 'CreateLogGroup': {
      if (!groupName || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(groupName))
        return logsError('InvalidParameterException', 'logGroupName is invalid');
      if (group) return logsError('ResourceAlreadyExistsException', 'The specified log group already exists');
      newGroup(state, groupName, region, (body.tags as Record<string, string> | undefined) ?? {});
      return { status: 200, body: {} };
    }
    case 'DeleteLogGroup':
      if (!group || !groupName) return missing();
      state.logGroups.delete(groupName);
      return { status: 200, body: {} };
    case 'DescribeLogGroups': {
      const prefix = str(body, 'logGroupNamePrefix') ?? '';
      const groups = [...state.logGroups.values()]
        .filter((g) => g.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((g) => ({ logGroupName: g.name, arn: `${g.arn}:*`, logGroupArn: g.arn, creationTime: g.creationTime }));
      return { status: 200, body: { logGroups: groups } };
    }
    case 'FilterLogEvents': {
      if (!group) return missing();
      const start = typeof body.startTime === 'number' ? body.startTime : 0;
      const end = typeof body.endTime === 'number' ? body.endTime : Number.POSITIVE_INFINITY;
      const matching = group.events.filter((e) => e.timestamp >= start && e.timestamp <= end);
      const offset = Number(str(body, 'nextToken') ?? 0);
      const limit = typeof body.limit === 'number' ? Math.min(body.limit, PAGE) : PAGE;
      const page = matching.slice(offset, offset + limit);
      return {
        status: 200,
        body: {
          events: page,
          ...(offset + limit < matching.length ? { nextToken: String(offset + limit) } : {}),
        },
      };
    }
    case 'TagResource':
    case 'ListTagsForResource': {
      const arn = str(body, 'resourceArn') ?? '';
      const tagged = [...state.logGroups.values()].find((g) => g.arn === arn || `${g.arn}:*` === arn);
      if (!tagged) return logsError('ResourceNotFoundException', `The specified resource does not exist: ${arn}`);
      if (operation === 'ListTagsForResource') return { status: 200, body: { tags: tagged.tags } };
      Object.assign(tagged.tags, (body.tags as Record<string, string> | undefined) ?? {});
      return { status: 200, body: {} };
    }
    default:
      return logsError('UnknownOperationException', `kagg fake: no CloudWatch Logs operation ${operation}`);
  }
}
