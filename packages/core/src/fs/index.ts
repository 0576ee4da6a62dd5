export { appendLineDurable, writeFileAtomic } from './atomic.js';
export { type LockOptions, withFileLock } from './lock.js';
