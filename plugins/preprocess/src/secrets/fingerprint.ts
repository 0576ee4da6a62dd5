import { createHash } from 'node:crypto';

/** sha256 over rule and secret (32 hex chars): how baselines recognise an accepted finding. */
export function fingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update(`${ruleId}:${secret}`).digest('hex').slice(0, 32);
}
