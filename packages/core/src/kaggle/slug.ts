/**
 * Kaggle's title → slug rule, as python-slugify applies it: ASCII transliteration of accented letters,
 * lower case, every run of other characters becomes one `-`, ends trimmed.
 */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A title that resolves back to `slug` ("my-cool-notebook" → "My Cool Notebook"). */
export function titleFromSlug(slug: string): string {
  return slug
    .split('-')
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
