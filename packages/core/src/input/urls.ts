/**
 * Notebook URLs: GitHub blob pages become raw.githubusercontent.com links, gists their raw form,
 * GitLab `/-/blob/` links `/-/raw/`. Anything else is fetched as given.
 */
export function rawNotebookUrl(input: string): string {
  const url = new URL(input);
  url.hash = '';
  if (url.hostname === 'github.com') {
    const m = /^\/([^/]+)\/([^/]+)\/blob\/(.+)$/.exec(url.pathname);
    if (m) return `https://raw.githubusercontent.com/${m[1]}/${m[2]}/${m[3]}`;
  }
  if (url.hostname === 'gist.github.com') {
    const m = /^\/([^/]+)\/([0-9a-f]+)\/?$/i.exec(url.pathname);
    if (m) return `https://gist.githubusercontent.com/${m[1]}/${m[2]}/raw`;
  }
  if (url.hostname === 'gitlab.com' || url.hostname.startsWith('gitlab.')) {
    if (url.pathname.includes('/-/blob/')) {
      url.pathname = url.pathname.replace('/-/blob/', '/-/raw/');
      return url.toString();
    }
  }
  return url.toString();
}

/** Loopback hosts, the only ones kagg accepts over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
