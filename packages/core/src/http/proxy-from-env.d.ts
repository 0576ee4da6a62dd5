// proxy-from-env 2 ships no types.
declare module 'proxy-from-env' {
  export function getProxyForUrl(url: string | URL): string;
}
