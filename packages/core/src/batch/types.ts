/** The shapes of `kagg batch`: batch files, the state file's records, and the report. Types only. */

export const OPERATIONS = ['download', 'run', 'deploy', 'preprocess', 'destroy'] as const;
export type BatchOperation = (typeof OPERATIONS)[number];

/** What one line, row or item of a batch file may say (after validation). */
export interface ItemSpec {
  /** Kernel ref, Kaggle URL, notebook file or folder, notebook URL; an endpoint name for destroy. */
  input: string;
  /** Endpoint name (deploy). */
  name?: string;
  /** Target id (deploy). */
  target?: string;
  /** Output folder (download, run). */
  path?: string;
  region?: string;
  memory?: number;
  timeout?: number;
  public?: boolean;
  /** Target-specific settings, `key=value`. */
  set?: string[];
  /** Environment variables of the deployed function. */
  env?: Record<string, string>;
  /** Redeploy even when nothing changed (deploy). */
  force?: boolean;
}

/** Batch-wide defaults an item may override (JSON `defaults`, command-line flags). */
export type ItemDefaults = Omit<ItemSpec, 'input'>;

export interface InvalidItem {
  /** Position among all items of the file (valid and invalid), 1-based; 0 until planned. */
  index: number;
  /** 1-based line of the batch file where the bad item starts. */
  line: number;
  /** The text of the line (or the item's JSON), cut short. */
  text: string;
  reason: string;
}

export type BatchFileFormat = 'text' | 'csv' | 'json' | 'jsonl';

export interface ParsedBatchFile {
  format: BatchFileFormat;
  /** `defaults` of the JSON object form. */
  defaults: ItemDefaults;
  items: Array<{ line: number; spec: ItemSpec }>;
  invalid: InvalidItem[];
}

/** One item of a batch as the state file records it: the spec with defaults applied and paths absolute. */
export interface PlannedItem extends ItemSpec {
  index: number;
  line: number;
  /** The state file holds only the names of `env`: the values are read from the batch file again on resume. */
  envFromFile?: boolean;
}

export interface BatchOptions {
  parallel: number;
  failFast: boolean;
  /** `--path`: the folder under which download/run items write by default. */
  path?: string;
  /** Target choice from the flags (deploy). */
  targetFlags: { target?: string; common: Record<string, unknown>; set: string[] };
}

/** The first record of a state file. */
export interface BatchDefinition {
  type: 'batch';
  version: 1;
  id: string;
  createdAt: string;
  /** Absolute path of the batch file. */
  file: string;
  format: BatchFileFormat;
  operation: BatchOperation;
  options: BatchOptions;
  items: PlannedItem[];
  invalid: InvalidItem[];
  cwd: string;
  pid: number;
}

/** States an item passes through. `pushing`/`pushed` belong to `run` (exactly-once push). */
export type ItemState = 'running' | 'pushing' | 'pushed' | 'succeeded' | 'failed' | 'interrupted';

export interface ItemRecord {
  type: 'item';
  index: number;
  state: ItemState;
  at: string;
  pid: number;
  /** Run: kernel ref and the version number before the push (null: no version yet). */
  ref?: string;
  versionBefore?: number | null;
  /** Run: status recorded before the push (to tell this run's status from the previous one's). */
  statusBefore?: { status: string; failureMessage: string } | null;
  version?: number | null;
  url?: string;
  /** Run: the push was found to have happened when resuming a `pushing` item. */
  recovered?: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  durationMs?: number;
}

export interface ResumeRecord {
  type: 'resume';
  at: string;
  pid: number;
}

export interface EndRecord {
  type: 'end';
  at: string;
  pid: number;
  status: 'finished' | 'interrupted' | 'stopped';
}

export type BatchRecord = BatchDefinition | ItemRecord | ResumeRecord | EndRecord;

export type ReportStatus = 'succeeded' | 'failed' | 'invalid' | 'skipped' | 'planned';

export interface ReportItem {
  /** 1-based position among the batch file's items (valid and invalid, in file order). */
  item: number;
  line: number;
  input: string;
  operation: BatchOperation;
  /** Deploy and destroy: the endpoint's name and target, so two deploys of one notebook are told apart. */
  name?: string;
  target?: string;
  status: ReportStatus;
  /** How many times kagg started this item (across resumes). */
  attempts: number;
  durationMs: number;
  /** What the item produced: a path, a URL, an endpoint, requirements. */
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export interface BatchReport {
  id: string;
  file: string;
  operation: BatchOperation;
  createdAt: string;
  finishedAt: string | null;
  /** `finished`: every item ended; `interrupted`: stopped by Ctrl-C or a crash (resume it); `stopped`: --fail-fast. */
  status: 'finished' | 'interrupted' | 'stopped' | 'running' | 'dry-run';
  dryRun: boolean;
  parallel: number;
  counts: { total: number; succeeded: number; failed: number; invalid: number; skipped: number };
  items: ReportItem[];
  /** Under `--json`: what the run warned about (every kagg result carries them). */
  warnings?: string[];
}
