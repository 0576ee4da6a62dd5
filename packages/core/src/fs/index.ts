export { appendLineDurable, writeFileAtomic } from './atomic.js';
export { isProcessAlive, type LockOptions, withFileLock } from './lock.js';
