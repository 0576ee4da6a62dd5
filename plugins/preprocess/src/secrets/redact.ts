/**
 * The preview of a secret that findings carry: never the whole value. At most the first four and the
 * last two (16–19 characters) or four (20 and more) characters survive; secrets shorter than 16
 * characters are fully masked, so a short password never shows half of itself.
 */
export function redactSecret(secret: string): string {
  const value = secret.trim();
  if (value.length < 16) return '*'.repeat(8);
  const tail = value.length >= 20 ? 4 : 2;
  const stars = Math.min(value.length - 4 - tail, 12);
  return `${value.slice(0, 4)}${'*'.repeat(stars)}${value.slice(-tail)}`;
}
