/**
 * Installs the loopback guard (./loopback.ts) in this process; for `node --import`. Importing
 * `@kagg/testkit/loopback` instead gives its helpers without installing it.
 */
import { installLoopbackGuard } from './loopback.js';

installLoopbackGuard();
