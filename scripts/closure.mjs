// The installed third-party packages a set of workspace packages needs: every folder under the
// workspace's node_modules reached through dependencies, optionalDependencies and peerDependencies,
// found the way Node resolves them (walking up through node_modules). Workspace packages themselves
// (linked @kagg/*) are walked through but not returned.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

function findPackage(from, name) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function dependencyFolders(workspaces) {
  const seen = new Set();
  const out = [];
  const walk = (dir) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    if (real.includes(`${path.sep}node_modules${path.sep}`)) out.push(real);
    const pj = JSON.parse(readFileSync(path.join(real, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies, ...pj.peerDependencies })) {
      // Node resolves from a package's real path, workspace links included.
      const found = findPackage(real, name);
      if (found) walk(found);
    }
  };
  for (const w of workspaces) walk(w);
  return out;
}
