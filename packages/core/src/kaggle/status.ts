/** `kagg status`: the status of a kernel's latest session. */
import type { KaggleClient } from './client.js';
import { isTerminal } from './parse.js';
import { formatRef, type KernelRef } from './ref.js';
import type { KernelStatus } from './types.js';

export interface StatusResult {
  ref: string;
  status: KernelStatus;
  /** True for COMPLETE, ERROR and CANCEL_ACKNOWLEDGED. */
  terminal: boolean;
  failureMessage: string;
}

export async function kernelStatus(client: KaggleClient, ref: KernelRef): Promise<StatusResult> {
  const full = await client.resolve(ref);
  const s = await client.getSessionStatus(full);
  return { ref: formatRef(full), status: s.status, terminal: isTerminal(s.status), failureMessage: s.failureMessage };
}
