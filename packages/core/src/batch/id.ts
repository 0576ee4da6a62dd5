/** Batch ids: short and sortable by creation time, e.g. `20261126-104512-ab12` (UTC). */
import { randomBytes } from 'node:crypto';

export const BATCH_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function newBatchId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-26T10:45:12.345Z
  const date = iso.slice(0, 10).replace(/-/g, '');
  const time = iso.slice(11, 19).replace(/:/g, '');
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}
