export { type EnumStyle, type Envelope, errorBody, omitDefaults, spellEnum } from './proto.js';
export {
  FakeKaggle,
  type FakeKaggleOptions,
  type Fault,
  type RateLimitOptions,
  type RecordedRequest,
  startFakeKaggle,
} from './server.js';
export type { FakeKernel, FakeKernelInit, FakeUser, LogEntry, Outcome, OutputSpec, RunScript } from './state.js';
