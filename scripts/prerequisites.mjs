// What the tests need from the machine beyond node_modules, checked (and provisioned where it can
// be) by `npm test` itself before anything is built, so the README's two commands are the whole
// set-up: a missing prerequisite fails once, first, with the command that installs it.
//
// - python3: runs every generated function.
// - nbformat in a python3: the preprocessor's tests check cleaned notebooks with the real nbformat
//   validator, an implementation independent of kagg. PyPI may be out of reach, so Debian's
//   python3-nbformat (into /usr/bin/python3) is the provisioning path; pip is named as the manual one.
// - tmux: the interactive tests (kernel picker, chat) type keys into a real pseudo-terminal and read
//   its screen through tmux; Debian's tmux package.
import { spawnSync } from 'node:child_process';

const has = (python, code) => spawnSync(python, ['-c', code], { stdio: 'ignore' }).status === 0;

function nbformatPython() {
  return ['python3', '/usr/bin/python3'].find((p) => has(p, 'import nbformat'));
}

function canApt() {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(pkg, log) {
  log(`installing Debian's ${pkg} (needed by the tests; once per machine)`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  if (spawnSync('apt-get', ['update', '-qq'], quiet).status !== 0) return false;
  return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], quiet).status === 0;
}

/**
 * Returns the environment the test run needs (`KAGG_NBFORMAT_PYTHON`), or a list of problems, each
 * with the command that fixes it.
 */
export function checkPrerequisites(log) {
  const problems = [];
  if (!has('python3', 'import sys; assert sys.version_info >= (3, 9)')) {
    problems.push('python3 3.9 or newer is not on PATH: install it (Debian: `apt-get install python3`)');
    return { problems };
  }
  let python = nbformatPython();
  if (!python && canApt() && aptInstall('python3-nbformat', log)) python = nbformatPython();
  if (!python) {
    problems.push(
      'no python3 with nbformat: install it with `sudo apt-get install python3-nbformat` (Debian/Ubuntu) or `python3 -m pip install nbformat`',
    );
  }
  const hasTmux = () => spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!hasTmux() && !(canApt() && aptInstall('tmux', log) && hasTmux())) {
    problems.push('no tmux (the interactive tests drive a pseudo-terminal with it): `sudo apt-get install tmux`');
  }
  return { problems, env: { KAGG_NBFORMAT_PYTHON: python } };
}
