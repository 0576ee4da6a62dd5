/** The types of input resolution, in a leaf module: resolve.ts and kaggle.ts both use them. */
export interface ResolvedNotebook {
  text: string;
  /** The path or URL, for messages and the registry. */
  source: string;
  kind: 'file' | 'url' | 'kaggle';
  /** The local folder holding the notebook (requirements.txt, local modules), for local files. */
  directory?: string;
  /** A default endpoint name derived from the input. */
  suggestedName: string;
  /** For a Kaggle kernel: downloads its latest run's output files (paths relative to the output root). */
  outputs?: () => Promise<Array<{ path: string; data: Uint8Array }>>;
}

/** Resolves Kaggle refs and URLs; supplied by the Kaggle client so this module needs no network code of its own. */
export type KaggleResolver = (input: string) => Promise<ResolvedNotebook | undefined>;

export interface ResolveOptions {
  /** Largest notebook accepted (bytes). Default 100 MB. */
  maxBytes?: number;
  /** Download timeout. Default 60 s. */
  timeoutMs?: number;
  kaggle?: KaggleResolver;
  /** Downloads text; defaults to kagg's HTTP client. */
  download?: (
    url: string,
    limits: { maxBytes: number; timeoutMs: number },
  ) => Promise<{ text: string; contentType: string }>;
}
