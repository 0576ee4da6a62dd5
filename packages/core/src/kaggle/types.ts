/** Messages of the Kaggle RPC API (contracts/kaggle-api.md §2), after tolerant parsing. */

export type KernelStatus =
  | 'QUEUED'
  | 'RUNNING'
  | 'COMPLETE'
  | 'ERROR'
  | 'CANCEL_REQUESTED'
  | 'CANCEL_ACKNOWLEDGED'
  | 'NEW_SCRIPT'
  | 'UNKNOWN';

/** KernelMetadata with every default filled in (the server omits default-valued fields). */
export interface KernelInfo {
  id: number | undefined;
  ref: string;
  title: string;
  author: string;
  slug: string;
  lastRunTime: string | undefined;
  language: string;
  kernelType: string;
  isPrivate: boolean;
  enableGpu: boolean;
  enableTpu: boolean;
  enableInternet: boolean;
  categoryIds: string[];
  datasetDataSources: string[];
  competitionDataSources: string[];
  kernelDataSources: string[];
  modelDataSources: string[];
  totalVotes: number;
  currentVersionNumber: number | undefined;
  dockerImage: string | undefined;
  machineShape: string | undefined;
}

export interface KernelBlob {
  source: string;
  language: string;
  kernelType: string;
  slug: string;
}

export interface ListKernelsRequest {
  competition: string;
  dataset: string;
  parentKernel: string;
  group: string;
  kernelType: string;
  language: string;
  outputType: string;
  search: string;
  sortBy?: string;
  user: string;
  page: number;
  pageSize: number;
}

export interface SaveKernelRequest {
  id?: number;
  slug?: string;
  newTitle?: string;
  text: string;
  language: string;
  kernelType: string;
  isPrivate?: boolean;
  enableGpu?: boolean;
  enableTpu?: boolean;
  enableInternet?: boolean;
  datasetDataSources?: string[];
  competitionDataSources?: string[];
  kernelDataSources?: string[];
  modelDataSources?: string[];
  categoryIds?: string[];
  dockerImagePinningType?: string;
  dockerImage?: string;
  machineShape?: string;
  sessionTimeoutSeconds?: number;
  kernelExecutionType?: string;
}

export interface SaveKernelResult {
  ref: string;
  url: string;
  versionNumber: number | undefined;
  kernelId: number | undefined;
  error: string;
  invalidTags: string[];
  invalidDatasetSources: string[];
  invalidCompetitionSources: string[];
  invalidKernelSources: string[];
  invalidModelSources: string[];
}

export interface SessionStatus {
  status: KernelStatus;
  /** The value as the server spelled it. */
  rawStatus: string | undefined;
  failureMessage: string;
}

export interface OutputFile {
  url: string;
  fileName: string;
}

export interface OutputPage {
  files: OutputFile[];
  log: string;
  nextPageToken: string;
}
