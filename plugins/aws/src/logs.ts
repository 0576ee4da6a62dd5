/**
 * The function's CloudWatch Logs group, `/aws/lambda/<function>`: created by kagg (tagged) before
 * the function first runs, read by `kagg logs`, removed by `destroy` unless `--keep-logs`.
 */
import type { LogEvent, LogQuery } from '@kagg/plugin-api';
import { isAwsError } from './errors.js';
import type { AwsSession } from './session.js';

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Creates the tagged log group; one that exists already is left as it is. Returns whether it was created. */
export async function ensureLogGroup(s: AwsSession, functionName: string, tags: Record<string, string>) {
  const { CreateLogGroupCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await s.clients.logs();
  s.ctx.signal.throwIfAborted();
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: logGroupOf(functionName), tags }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'ResourceAlreadyExistsException')) return false;
    throw s.explain(error, 'CloudWatch Logs CreateLogGroup');
  }
}

export async function deleteLogGroup(s: AwsSession, functionName: string): Promise<void> {
  const { DeleteLogGroupCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await s.clients.logs();
  await s.call(
    'CloudWatch Logs DeleteLogGroup',
    () => logs.send(new DeleteLogGroupCommand({ logGroupName: logGroupOf(functionName) })),
    true,
  );
}

/** Events of the function's log group, oldest first; none when the group does not exist yet. */
export async function readLogEvents(s: AwsSession, functionName: string, query: LogQuery): Promise<LogEvent[]> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await s.clients.logs();
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await s.call(
      'CloudWatch Logs FilterLogEvents',
      () =>
        logs.send(
          new FilterLogEventsCommand({
            logGroupName: logGroupOf(functionName),
            ...(query.since !== undefined ? { startTime: query.since } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      true,
    );
    if (!page) return [];
    for (const e of page.events ?? []) events.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
    nextToken = page.nextToken;
  } while (nextToken);
  events.sort((a, b) => a.timestamp - b.timestamp);
  return query.tail === undefined ? events : events.slice(-query.tail);
}
