/**
 * The HTML report opened in headless Chromium, offline: no console error, no request beyond the file
 * itself, both charts drawn (pixels on their canvases), the summary table filled in. A run with
 * failures and cold starts is made on virtual time against a loopback endpoint.
 * KAGG_MONITOR_SCREENSHOT=path saves a screenshot (docs/images/monitor-report.png comes from here).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type MonitorResult, writeHtmlReport } from '@kagg/plugin-monitor';
import { tempDir } from '../../../test/helpers.ts';
import { launchChromium } from './helpers/chromium.ts';
import { startServer, type TestServer } from './helpers/servers.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';
import { virtualMonitor } from './helpers/virtual-monitor.ts';

describe('HTML report in headless Chromium', () => {
  const home = tempDir('kagg-monitor-');
  const file = path.join(home, 'report.html');
  let servers: TestServer[] = [];
  let result: MonitorResult;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;

  before(async () => {
    const clock = new VirtualClock();
    const latency = (e: number, i: number) =>
      i % 60 === 0 ? 900 + 40 * e : 40 + 25 * e + ((i * 37) % 50) + (i % 17 === 0 ? 120 : 0);
    servers = await Promise.all(
      [0, 1].map((e) =>
        startServer((_req, res, _body, i) => {
          clock.advance(latency(e, i));
          const down = e === 1 && i >= 70 && i < 80;
          res.writeHead(down ? 503 : 200, {
            'content-type': 'application/json',
            'x-kagg-cold': i % 60 === 0 ? '1' : '0',
          });
          res.end(down ? '{"error":"unavailable"}' : '{"label":"setosa"}');
        }),
      ),
    );
    const endpoints = servers.map((srv, e) => ({ name: ['iris', 'churn'][e] as string, url: srv.url }));
    const monitor = virtualMonitor(clock, endpoints, {
      id: 'html-run',
      home,
      intervalMs: 5000,
      probes: 150,
      conditions: ['[STATUS] == 200'],
    });
    result = await monitor.run();
    await writeHtmlReport(result.dir, file);
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  test('opens offline with no console error, both charts drawn and the table filled in', async () => {
    const page = await chromium.browser.contexts()[0]?.newPage();
    assert.ok(page);
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewportSize({ width: 1240, height: 1000 });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction('window.kaggReportReady === true');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:')),
      [],
      'the report fetches nothing',
    );
    // runs in the page (a string: the tests are type-checked without the DOM library)
    const canvases: Array<{ parent: string; width: number; height: number; painted: number }> = await page.evaluate(`
      [...document.querySelectorAll('canvas')].map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return { parent: c.closest('[id]').id, width: c.width, height: c.height, painted };
      })`);
    assert.deepEqual(
      canvases.map((c) => c.parent),
      ['timeline', 'histogram'],
    );
    for (const c of canvases)
      assert.ok(c.width > 0 && c.painted > 500, `${c.parent} has a drawn chart: ${JSON.stringify(c)}`);
    const legend = (await page.locator('#timeline .u-legend').textContent()) ?? '';
    for (const label of ['iris', 'churn', 'failed', 'cold start'])
      assert.ok(legend.includes(label), `legend: ${legend}`);
    const rows = await page.locator('#summary tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0] as string, /^iris\tlocal\t150\t100\.00%/);
    assert.match(rows[1] as string, /^churn\tlocal\t150\t93\.33%/);
    assert.match(
      (await page.locator('#incidents').textContent()) ?? '',
      /churn: .* 10 failed probe\(s\): \[STATUS\] == 200 \(503 == 200\)/,
    );
    if (process.env.KAGG_MONITOR_SCREENSHOT)
      await page.screenshot({ path: process.env.KAGG_MONITOR_SCREENSHOT, fullPage: true });
    await page.close();
  });
});
