// What the tests need from the machine beyond node_modules, checked (and provisioned where it can
// be) by `npm test` itself before anything is built, so the README's two commands are the whole
// set-up: a missing prerequisite fails once, first, with the command that installs it.
//
// - python3: runs every generated function.
// - nbformat in a python3: the preprocessor's tests check cleaned notebooks with the real nbformat
//   validator, an implementation independent of kagg. PyPI may be out of reach, so Debian's
//   python3-nbformat (into /usr/bin/python3) is the provisioning path; pip is named as the manual one.
// - prometheus_client in a python3: the monitor's tests parse its /metrics with Prometheus's own
//   exposition parser (Debian's python3-prometheus-client).
// - chromium: the monitor's tests open its HTML report in headless Chromium (Debian's chromium).
// - flask in a python3: the gcp tests run main.py under Flask as functions-framework does
//   (Debian's python3-flask).
// - tmux: the interactive tests (kernel picker, chat) type keys into a real pseudo-terminal and read
//   its screen through tmux; Debian's tmux package.
import { spawnSync } from 'node:child_process';

const has = (python, code) => spawnSync(python, ['-c', code], { stdio: 'ignore' }).status === 0;
const pythonWith = (module) => ['python3', '/usr/bin/python3'].find((p) => has(p, `import ${module}`));

function chromiumPath() {
  return [process.env.KAGG_CHROMIUM, 'chromium', '/usr/bin/chromium', 'chromium-browser'].find(
    (bin) => bin && spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

function canApt() {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(pkgs, log) {
  log(`installing Debian's ${pkgs.join(', ')} (needed by the tests; once per machine)`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  if (spawnSync('apt-get', ['update', '-qq'], quiet).status !== 0) return false;
  return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], quiet).status === 0;
}

/** Each need: how to find it, its Debian package, and how to install it by hand. */
const NEEDS = [
  {
    env: 'KAGG_NBFORMAT_PYTHON',
    find: () => pythonWith('nbformat'),
    pkg: 'python3-nbformat',
    missing:
      'no python3 with nbformat: install it with `sudo apt-get install python3-nbformat` (Debian/Ubuntu) or `python3 -m pip install nbformat`',
  },
  {
    env: 'KAGG_PROMETHEUS_PYTHON',
    find: () => pythonWith('prometheus_client'),
    pkg: 'python3-prometheus-client',
    missing:
      'no python3 with prometheus_client: install it with `sudo apt-get install python3-prometheus-client` (Debian/Ubuntu) or `python3 -m pip install prometheus-client`',
  },
  {
    env: 'KAGG_FLASK_PYTHON',
    find: () => pythonWith('flask'),
    pkg: 'python3-flask',
    missing:
      'no python3 with Flask (the gcp tests run main.py the way functions-framework does): install it with `sudo apt-get install python3-flask` (Debian/Ubuntu) or `python3 -m pip install flask`',
  },
  {
    env: 'KAGG_TMUX',
    find: () => (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0 ? 'tmux' : undefined),
    pkg: 'tmux',
    missing:
      'no tmux (the interactive tests drive a pseudo-terminal with it): install it with `sudo apt-get install tmux`',
  },
  {
    env: 'KAGG_CHROMIUM',
    find: chromiumPath,
    pkg: 'chromium',
    missing:
      'no Chromium: install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set KAGG_CHROMIUM to its path',
  },
];

/**
 * Returns the environment the test run needs (`KAGG_NBFORMAT_PYTHON`, `KAGG_PROMETHEUS_PYTHON`, `KAGG_FLASK_PYTHON`,
 * `KAGG_CHROMIUM`), or a list of problems, each with the command that fixes it.
 */
export function checkPrerequisites(log) {
  const problems = [];
  if (!has('python3', 'import sys; assert sys.version_info >= (3, 9)')) {
    problems.push('python3 3.9 or newer is not on PATH: install it (Debian: `apt-get install python3`)');
    return { problems };
  }
  const found = Object.fromEntries(NEEDS.map((n) => [n.env, n.find()]));
  const absent = NEEDS.filter((n) => !found[n.env]);
  if (
    absent.length > 0 &&
    canApt() &&
    aptInstall(
      absent.map((n) => n.pkg),
      log,
    )
  ) {
    for (const n of absent) found[n.env] = n.find();
  }
  for (const n of NEEDS) if (!found[n.env]) problems.push(n.missing);
  return { problems, env: found };
}
