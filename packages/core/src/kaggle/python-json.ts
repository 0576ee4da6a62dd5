/**
 * JSON written the way Python's `json.dump`/`json.dumps` writes it, so files kagg produces match the
 * official CLI byte for byte: non-ASCII escaped as \uXXXX (ensure_ascii), `", "`/`": "` separators
 * without indent, `","`/`": "` with indent, no trailing newline.
 */
function escapeNonAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function pythonJsonDumps(value: unknown, indent?: number): string {
  if (indent !== undefined) return escapeNonAscii(JSON.stringify(value, null, indent));
  return escapeNonAscii(compact(value));
}

function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => compact(v === undefined ? null : v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}: ${compact(v)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
