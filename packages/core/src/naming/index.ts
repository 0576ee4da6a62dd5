/**
 * Names: endpoint names made from what the user gave (a file name, a legacy registry key), and
 * provider-safe resource names, decided once for every target (the rule lives in
 * @kagg/plugin-api/kit, where target authors and @kagg/testkit get it too).
 */
export { DEFAULT_NAMING, resourceNameOf } from '@kagg/plugin-api/kit';

/** Lower-case, dash-separated: an endpoint name made of a file name or a legacy registry key. */
export function endpointNameFrom(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return /^[a-z0-9]/.test(slug) ? slug : `e-${slug}`.slice(0, 63);
}
