/**
 * got, bundled with its dependencies into one CommonJS file by the build (scripts/bundle-got.mjs says
 * why: the first request of a process costs ~50 ms of CPU less than importing got's ESM modules).
 * Every use of got in kagg loads it from here, never from 'got' itself.
 */
import type { Got } from 'got';

export type GotBundle = Pick<typeof import('got'), 'HTTPError' | 'RequestError' | 'TimeoutError'> & { got: Got };

const BUNDLE = new URL('./got.cjs', import.meta.url).href;

export function loadGot(): Promise<GotBundle> {
  return import(BUNDLE);
}
