/**
 * The fake Kaggle's world: users, kernels with versions, the session of each version moving through
 * the status state machine, and the output files of finished sessions.
 *
 * State machine of a pushed version's session, advanced by each GetKernelSessionStatus call:
 *   first push of a kernel: `notFoundPolls` answers of 404 (the session is not registered yet);
 *   later pushes: `stalePolls` answers showing the *previous* version's terminal status;
 *   then `queuedPolls` × QUEUED (sent as `{}`: proto omits the default), `runningPolls` × RUNNING,
 *   then the scripted outcome (COMPLETE, ERROR or CANCEL_ACKNOWLEDGED), which publishes its outputs.
 */

export interface FakeUser {
  username: string;
  /** Legacy API key (Basic auth). */
  key?: string;
  /** Bearer token (KGAT_…). */
  token?: string;
  /** OAuth refresh token (what `kaggle auth login` saves); GenerateAccessToken mints bearer tokens from it. */
  refreshToken?: string;
  /**
   * GetAcceleratorQuotaStatistics' answer for this user, in seconds (kagglesdk's Durations); a
   * missing accelerator is left out of the answer (default: GPU 5 h of 30 h, TPU 0 of 20 h).
   */
  quota?: { gpu?: { used: number; total: number }; tpu?: { used: number; total: number }; refresh?: string };
  /** Access tokens minted by GenerateAccessToken. */
  minted?: string[];
}

export interface LogEntry {
  stream_name: 'stdout' | 'stderr';
  time: number;
  data: string;
}

export interface OutputSpec {
  fileName: string;
  content: string | Buffer;
}

export type Outcome = 'COMPLETE' | 'ERROR' | 'CANCEL_ACKNOWLEDGED';

export interface RunScript {
  outcome?: Outcome;
  failureMessage?: string;
  outputs?: OutputSpec[];
  /** The run log: entries (stored as Kaggle's JSON array) or raw text. */
  log?: LogEntry[] | string;
  notFoundPolls?: number;
  stalePolls?: number;
  queuedPolls?: number;
  runningPolls?: number;
}

export interface FakeKernelInit {
  owner: string;
  slug: string;
  title?: string;
  language?: string;
  kernelType?: 'script' | 'notebook';
  isPrivate?: boolean;
  enableGpu?: boolean;
  enableTpu?: boolean;
  enableInternet?: boolean;
  source?: string;
  categoryIds?: string[];
  datasetDataSources?: string[];
  competitionDataSources?: string[];
  kernelDataSources?: string[];
  modelDataSources?: string[];
  parent?: string;
  totalVotes?: number;
  viewCount?: number;
  commentCount?: number;
  lastRunTime?: string;
  dockerImage?: string;
  machineShape?: string;
  /** Result of the existing (already finished) version 1. */
  outcome?: Outcome;
  failureMessage?: string;
  outputs?: OutputSpec[];
  log?: LogEntry[] | string;
  /** Number of saved versions (default 1; 0 = never saved: GetKernel and status answer 404). */
  versions?: number;
}

export interface StoredFile {
  id: string;
  fileName: string;
  content: Buffer;
  lastModified: Date;
}

export interface Session {
  /** kernelSessionId: Kaggle's own id of the run, which its public API never returns. */
  id: number;
  version: number;
  /** CancelKernelSession while it ran: the next poll says CANCEL_REQUESTED, the one after CANCEL_ACKNOWLEDGED. */
  cancel?: 'requested' | 'reported';
  script: Required<Omit<RunScript, 'failureMessage' | 'outputs' | 'log'>> &
    Pick<RunScript, 'failureMessage' | 'outputs' | 'log'>;
  polls: number;
  /** The session to show during the stale window (the previous version's). */
  previous: Session | undefined;
  firstPush: boolean;
  finished: boolean;
  files: StoredFile[];
  log: string;
}

export interface KernelVersion {
  number: number;
  text: string;
  session: Session;
}

export interface FakeKernel {
  id: number;
  owner: string;
  slug: string;
  title: string;
  language: string;
  kernelType: 'script' | 'notebook';
  isPrivate: boolean;
  enableGpu: boolean;
  enableTpu: boolean;
  enableInternet: boolean;
  categoryIds: string[];
  datasetDataSources: string[];
  competitionDataSources: string[];
  kernelDataSources: string[];
  modelDataSources: string[];
  parent: string;
  totalVotes: number;
  viewCount: number;
  commentCount: number;
  created: Date;
  lastRunTime: string;
  dockerImage: string;
  machineShape: string;
  versions: KernelVersion[];
  /** Scripts for the next pushes, used in order. */
  nextRuns: RunScript[];
  /** Every SaveKernel body that made a version of this kernel. */
  pushes: Array<Record<string, unknown>>;
}

export function logText(log: LogEntry[] | string | undefined): string {
  if (log === undefined) return '';
  return typeof log === 'string' ? log : JSON.stringify(log);
}

let nextFileId = 1;
let nextSessionId = 260_000_001;
export function storeFiles(outputs: OutputSpec[] | undefined, when: Date): StoredFile[] {
  return (outputs ?? []).map((o) => ({
    id: `f${nextFileId++}${Math.random().toString(36).slice(2, 8)}`,
    fileName: o.fileName,
    content: Buffer.isBuffer(o.content) ? o.content : Buffer.from(o.content, 'utf8'),
    lastModified: new Date(Math.floor(when.getTime() / 1000) * 1000),
  }));
}

export function makeSession(
  version: number,
  script: RunScript,
  previous: Session | undefined,
  firstPush: boolean,
): Session {
  return {
    id: nextSessionId++,
    version,
    script: {
      outcome: script.outcome ?? 'COMPLETE',
      failureMessage: script.failureMessage,
      outputs: script.outputs,
      log: script.log,
      notFoundPolls: script.notFoundPolls ?? (firstPush ? 1 : 0),
      stalePolls: script.stalePolls ?? (firstPush ? 0 : 2),
      queuedPolls: script.queuedPolls ?? 1,
      runningPolls: script.runningPolls ?? 1,
    },
    polls: 0,
    previous,
    firstPush,
    finished: false,
    files: [],
    log: '',
  };
}

/** A session that has already run (versions made by `addKernel`). */
export function finishedSession(
  version: number,
  init: { outcome?: Outcome; failureMessage?: string; outputs?: OutputSpec[]; log?: LogEntry[] | string },
): Session {
  const s = makeSession(
    version,
    { outcome: init.outcome, failureMessage: init.failureMessage, outputs: init.outputs, log: init.log },
    undefined,
    false,
  );
  s.finished = true;
  s.files = storeFiles(init.outputs, new Date());
  s.log = logText(init.log);
  return s;
}

export type StatusAnswer =
  | { notFound: true }
  | { notFound: false; status: string; failureMessage: string; session: Session };

/** Advances the session of the latest version by one status poll and says what to answer. */
export function pollStatus(session: Session): StatusAnswer {
  if (session.finished)
    return {
      notFound: false,
      status: session.script.outcome,
      failureMessage: session.script.failureMessage ?? '',
      session,
    };
  if (session.cancel === 'requested') {
    session.cancel = 'reported';
    return { notFound: false, status: 'CANCEL_REQUESTED', failureMessage: '', session };
  }
  if (session.cancel === 'reported') {
    Object.assign(session.script, { outcome: 'CANCEL_ACKNOWLEDGED', failureMessage: undefined, outputs: undefined });
    finish(session);
    return { notFound: false, status: 'CANCEL_ACKNOWLEDGED', failureMessage: '', session };
  }
  const i = session.polls++;
  const s = session.script;
  let at = i;
  if (at < s.notFoundPolls) return { notFound: true };
  at -= s.notFoundPolls;
  if (at < s.stalePolls && session.previous?.finished) {
    return {
      notFound: false,
      status: session.previous.script.outcome,
      failureMessage: session.previous.script.failureMessage ?? '',
      session: session.previous,
    };
  }
  at -= s.stalePolls;
  if (at < s.queuedPolls) return { notFound: false, status: 'QUEUED', failureMessage: '', session };
  at -= s.queuedPolls;
  if (at < s.runningPolls) return { notFound: false, status: 'RUNNING', failureMessage: '', session };
  finish(session);
  return { notFound: false, status: s.outcome, failureMessage: s.failureMessage ?? '', session };
}

export function finish(session: Session): void {
  if (session.finished) return;
  session.finished = true;
  session.files = storeFiles(session.script.outputs, new Date());
  session.log = logText(session.script.log);
}
