/**
 * Confinement of server-chosen file names to a target folder. A name that is absolute, climbs out
 * (`../x`, `a/../../x`), holds a backslash, a drive letter or a NUL, or lands outside the folder
 * through a symbolic link is refused.
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/** The reason `name` is refused, or undefined when it is a plain relative path. */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '') return 'empty file name';
  if (name.includes('\0')) return 'NUL character in file name';
  if (name.includes('\\')) return 'backslash in file name';
  if (path.posix.isAbsolute(name) || /^[A-Za-z]:/.test(name)) return 'absolute path';
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) return 'path climbs out of the target folder';
  if (parts.every((p) => p === '' || p === '.')) return 'file name names no file';
  return undefined;
}

/**
 * Resolves `name` inside `root`, creating its parent folders. Throws an Error whose message says why
 * when the name is unsafe or the resolved folder escapes `root` (a symlink).
 */
export async function confinedPath(root: string, name: string): Promise<string> {
  const reason = unsafeNameReason(name);
  if (reason) throw new Error(reason);
  const target = path.resolve(root, ...name.split('/').filter((p) => p !== '' && p !== '.'));
  const realRoot = await realpath(root);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const realParent = await realpath(parent);
  if (realParent !== realRoot && !realParent.startsWith(realRoot + path.sep)) {
    throw new Error('path leaves the target folder through a symbolic link');
  }
  return path.join(realParent, path.basename(target));
}
