/**
 * The preview of a secret that findings carry, the same in every format (text, `--json`, SARIF,
 * deploy's refusal): at most its first four characters and never more than a quarter of it, then a
 * fixed run of eight stars, so neither the rest nor the length shows. Under 12 characters nothing
 * shows: a short password's first characters are a large part of it.
 */
export function redactSecret(secret: string): string {
  const value = secret.trim();
  const shown = value.length < 12 ? 0 : Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}${'*'.repeat(8)}`;
}
