import { canRedraw, KaggCommand } from '@kagg/core/command';
import { kaggPaths, loadSettings } from '@kagg/core/config';
import { EndpointRegistry } from '@kagg/core/registry';
import { Args, Flags } from '@oclif/core';
import { realClock } from '../../clock.js';
import type { ProbeMode } from '../../record.js';
import { type MonitorOutcome, monitorEndpoints } from '../../run.js';
import { LiveStatus } from '../../status.js';
import { renderTable } from '../../summary.js';

export default class Monitor extends KaggCommand<MonitorOutcome> {
  static override summary = 'Probe endpoints on a schedule: latency percentiles, errors, cold starts, alerts, reports.';
  static override description =
    `NAME is an endpoint from the registry (any target: kagg signs or adds keys through the target) or a URL.
Probes are due at start + k·interval (no drift) and never retried; latency is kept both from the sent time and from the scheduled time.
Without --data each probe GETs the endpoint's health answer; with --data it POSTs the payload to the notebook.
Every probe is appended to KAGG_HOME/monitor/<run>/probes.jsonl as it ends, so Ctrl-C (exit 130, summary printed) or a kill keeps them; \`kagg monitor report RUN\` reads them later.
Exit codes: 0 done, 1 when an endpoint's alert is still triggered at the end, 2 usage, 130 interrupted.`;
  static override examples = [
    '<%= config.bin %> monitor iris --duration 10m --interval 10s',
    `<%= config.bin %> monitor iris --data '{"sepal_length": 5.1}' --condition '[STATUS] == 200' --condition '[BODY].label == setosa' --condition '[RESPONSE_TIME] < 500'`,
    '<%= config.bin %> monitor iris churn --webhook http://127.0.0.1:9093/hook --slack https://hooks.slack.com/services/T/B/X',
    '<%= config.bin %> monitor iris --duration 1h --report iris.html --prometheus 127.0.0.1:9464',
    '<%= config.bin %> monitor iris --mode cold --interval 30m --duration 1d',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'endpoint names or URLs', required: true }) };
  static override flags = {
    duration: Flags.string({ summary: 'How long to monitor (e.g. 30s, 10m, 1h).', default: '10m' }),
    interval: Flags.string({ summary: 'Time between probes of one endpoint (default 10s; 20m in cold mode).' }),
    mode: Flags.string({
      summary:
        'steady: regular probes (warm latency, availability); cold: sparse probes after idle gaps (cold starts).',
      options: ['steady', 'cold'],
      default: 'steady',
    }),
    data: Flags.string({ char: 'd', summary: 'JSON payload to POST with each probe.' }),
    condition: Flags.string({
      char: 'c',
      summary: 'A condition every probe must meet (repeatable), e.g. "[STATUS] == 200". Default: [STATUS] < 400.',
      multiple: true,
    }),
    webhook: Flags.string({ summary: 'Send alerts (Alertmanager-style JSON) to this URL.' }),
    slack: Flags.string({ summary: 'Send alerts to this Slack incoming-webhook URL.' }),
    'failure-threshold': Flags.integer({
      summary: 'Failed probes in a row that trigger an alert.',
      default: 3,
      min: 1,
    }),
    'success-threshold': Flags.integer({ summary: 'Passing probes in a row that resolve it.', default: 2, min: 1 }),
    reminder: Flags.string({ summary: 'Repeat a triggered alert this often (at least 5m; default never).' }),
    timeout: Flags.string({ summary: 'Longest wait for one answer.', default: '30s' }),
    'max-in-flight': Flags.integer({ summary: 'Probes in flight at once, across endpoints.', default: 50, min: 1 }),
    'cold-idle': Flags.string({
      summary:
        'Idle gap after which a slow answer counts as a cold start when the endpoint sends no x-kagg-cold header.',
      default: '10m',
    }),
    report: Flags.string({ summary: 'Write a self-contained HTML report here at the end.' }),
    prometheus: Flags.string({ summary: 'Serve Prometheus metrics on HOST:PORT/metrics while running.' }),
  };

  async run(): Promise<MonitorOutcome> {
    const { argv, flags } = await this.parse(Monitor);
    const paths = kaggPaths();
    const controller = new AbortController();
    let signalExit = 0;
    const stop = (code: number) => () => {
      signalExit = code;
      controller.abort(new Error('interrupted'));
    };
    process.once('SIGINT', stop(130));
    process.once('SIGTERM', stop(143));
    let status: LiveStatus | undefined;
    const quiet = this.jsonEnabled();
    const result = await monitorEndpoints(
      {
        names: (argv as string[]).filter((n) => n !== ''),
        duration: flags.duration,
        ...(flags.interval !== undefined ? { interval: flags.interval } : {}),
        mode: flags.mode as ProbeMode,
        ...(flags.data !== undefined ? { data: flags.data } : {}),
        conditions: flags.condition ?? [],
        ...(flags.webhook !== undefined ? { webhook: flags.webhook } : {}),
        ...(flags.slack !== undefined ? { slack: flags.slack } : {}),
        failureThreshold: flags['failure-threshold'],
        successThreshold: flags['success-threshold'],
        ...(flags.reminder !== undefined ? { reminder: flags.reminder } : {}),
        timeout: flags.timeout,
        maxInFlight: flags['max-in-flight'],
        coldIdle: flags['cold-idle'],
        ...(flags.report !== undefined ? { report: flags.report } : {}),
        ...(flags.prometheus !== undefined ? { prometheus: flags.prometheus } : {}),
      },
      {
        endpoints: {
          config: this.config,
          registry: new EndpointRegistry(paths.registryFile),
          settings: await loadSettings(paths.configFile),
          paths,
          progress: () => {},
          log: { info: (m) => this.info(m), warn: (m) => this.warning(m), debug: () => {} },
          signal: controller.signal,
        },
        home: paths.home,
        clock: realClock,
        signal: controller.signal,
        onStart: (run) => {
          this.info(`Monitor run ${run.id} (records: ${paths.home}/monitor/${run.id}/probes.jsonl)`);
          if (!quiet) status = new LiveStatus(process.stderr, Date.now() + run.durationMs, canRedraw(process.stderr));
        },
        onMetrics: (url) => this.info(`Prometheus metrics on ${url}`),
        ...(quiet
          ? {}
          : {
              onRecord: (r, s) => status?.record(r, s),
              onAlert: (e) => status?.alert(e),
              onDelivery: (d) => status?.delivery(d),
            }),
      },
    );
    status?.stop();
    this.out(renderTable(result.endpoints));
    if (result.report) this.info(`Report: ${result.report}`);
    const triggered = result.endpoints.filter((e) => e.alertTriggered).map((e) => e.endpoint);
    if (triggered.length > 0) this.info(`Alert still triggered at the end: ${triggered.join(', ')}`);
    process.exitCode = signalExit || (triggered.length > 0 ? 1 : 0);
    return result;
  }
}
