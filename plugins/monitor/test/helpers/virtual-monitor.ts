/** A Monitor on virtual time with the defaults the tests share; time jumps only while no probe is in flight. */
import { Monitor, type MonitoredEndpoint, type MonitorOptions, parseCondition } from '@kagg/plugin-monitor';
import { tempDir } from '../../../../test/helpers.ts';
import type { VirtualClock } from './virtual-clock.ts';

export function virtualMonitor(
  clock: VirtualClock,
  endpoints: Array<Pick<MonitoredEndpoint, 'name' | 'url'> & Partial<MonitoredEndpoint>>,
  options: Partial<Omit<MonitorOptions, 'conditions'>> & {
    probes: number;
    intervalMs: number;
    conditions?: string[];
  } = {
    probes: 10,
    intervalMs: 100,
  },
): Monitor {
  const { probes, conditions, ...rest } = options;
  const monitor = new Monitor({
    id: `m-${Math.random().toString(36).slice(2)}`,
    home: tempDir('kagg-monitor-'),
    endpoints: endpoints.map((e) => ({ target: 'local', headers: {}, ...e })),
    durationMs: probes * options.intervalMs,
    mode: 'steady',
    timeoutMs: 30_000,
    maxInFlight: 50,
    coldIdleMs: 600_000,
    alerts: { failureThreshold: 3, successThreshold: 2, reminderMs: 0 },
    channels: [],
    clock,
    signal: new AbortController().signal,
    ...rest,
    conditions: (conditions ?? ['[STATUS] < 400']).map(parseCondition),
  });
  clock.busy = () => monitor.inFlight > 0;
  return monitor;
}
