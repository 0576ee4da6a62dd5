/**
 * Headless Chromium (Debian's `chromium`, provisioned by scripts/prerequisites.mjs as KAGG_CHROMIUM)
 * started by the test itself with a fresh profile, no network features and its DevTools endpoint on
 * 127.0.0.1, driven through playwright-core (which downloads no browser).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { tempDir } from '../../../../test/helpers.ts';

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = tempDir('kagg-chromium-');
  const child = spawn(
    process.env.KAGG_CHROMIUM ?? 'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      'about:blank',
    ],
    // Chromium's own temp files (org.chromium.Chromium.*) go into the profile, removed with it.
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: profile } },
  );
  const ws = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 30_000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}):\n${err}`)));
  });
  const browser = await chromium.connectOverCDP(ws);
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
