export { appendLineDurable, writeFileAtomic } from './atomic.js';
export { createLockFile, isProcessAlive, type LockOptions, withFileLock } from './lock.js';
