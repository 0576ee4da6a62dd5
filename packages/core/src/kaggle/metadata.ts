/**
 * kernel-metadata.json: its JSON Schema (the rules of contracts/kaggle-api.md §3, checked with ajv,
 * one clear message per field), the SaveKernel request made from it, the file written by `pull
 * --metadata` (keys in the official CLI's order), and metadata made for a bare notebook.
 */
import { usageError } from '../errors/index.js';
import { compileSchema } from '../schema/index.js';
import { pythonJsonDumps } from './python-json.js';
import { slugify, titleFromSlug } from './slug.js';
import type { KernelInfo, SaveKernelRequest } from './types.js';

export const METADATA_FILE = 'kernel-metadata.json';

export interface KernelMetadataFile {
  id?: string;
  id_no?: number | null;
  title?: string;
  code_file: string;
  language: 'python' | 'r' | 'rmarkdown';
  kernel_type: 'script' | 'notebook';
  is_private?: boolean | string;
  enable_gpu?: boolean | string;
  enable_tpu?: boolean | string;
  enable_internet?: boolean | string;
  dataset_sources?: string[];
  competition_sources?: string[];
  kernel_sources?: string[];
  model_sources?: string[];
  keywords?: string[];
  docker_image_pinning_type?: 'original' | 'latest';
  docker_image?: string | null;
  machine_shape?: string | null;
}

const boolish = (what: string) => ({
  description: `must be true or false (${what})`,
  // The official CLI compares lower-cased: any case is read (kagg warns when it is not true/True/false/False).
  anyOf: [{ type: 'boolean' }, { type: 'string', pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }],
});
const refList = (description: string, pattern: string) => ({
  description,
  type: 'array',
  items: { type: 'string', pattern },
});

/** The JSON Schema of kernel-metadata.json. Each property's `description` is the message shown when it is wrong. */
export const kernelMetadataSchema = {
  $id: 'https://kagg.dev/schemas/kernel-metadata.json',
  type: 'object',
  required: ['code_file', 'language', 'kernel_type'],
  anyOf: [{ required: ['id'] }, { required: ['id_no'], properties: { id_no: { type: 'integer' } } }],
  properties: {
    id: {
      description: 'must be "owner/slug" with a slug of at least 5 characters and no version part',
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]{4,}$',
      not: { pattern: 'INSERT_KERNEL_SLUG_HERE' },
    },
    id_no: { description: 'must be the numeric kernel id (an integer)', type: ['integer', 'null'], minimum: 1 },
    title: {
      description: 'must be a title of at least 5 characters',
      type: 'string',
      minLength: 5,
      not: { const: 'INSERT_TITLE_HERE' },
    },
    code_file: {
      description: 'must name the code file, relative to the folder of kernel-metadata.json',
      type: 'string',
      minLength: 1,
      not: { const: 'INSERT_CODE_FILE_PATH_HERE' },
    },
    language: {
      description: 'must be one of "python", "r", "rmarkdown"',
      type: 'string',
      enum: ['python', 'r', 'rmarkdown'],
    },
    kernel_type: { description: 'must be "script" or "notebook"', type: 'string', enum: ['script', 'notebook'] },
    is_private: boolish('default true'),
    enable_gpu: boolish('default false'),
    enable_tpu: boolish('default false'),
    enable_internet: boolish('default true'),
    dataset_sources: refList(
      'must be a list of "owner/dataset" or "owner/dataset/version"',
      '^[^/\\s]+/[^/\\s]+(/\\d+)?$',
    ),
    competition_sources: refList('must be a list of competition slugs (no "c/" prefix)', '^[A-Za-z0-9][A-Za-z0-9_-]*$'),
    kernel_sources: refList('must be a list of "owner/kernel-slug"', '^[^/\\s]+/[^/\\s]+$'),
    model_sources: refList(
      // kaggle 1.8.x required "owner/model" by mistake (kaggle-cli #900); 2.x refuses it again (#902), as kagg does.
      'must be a list of "owner/model/framework/variation/version" with an integer version (the "owner/model" form kaggle 1.8 took is refused by kaggle 2.x too: add the framework, variation and version shown on the model\'s page)',
      '^[^/\\s]+/[^/\\s]+/[^/\\s]+/[^/\\s]+/\\d+$',
    ),
    keywords: { description: 'must be a list of tags (strings)', type: 'array', items: { type: 'string' } },
    docker_image_pinning_type: {
      description: 'must be "original" or "latest"',
      type: 'string',
      enum: ['original', 'latest'],
    },
    docker_image: { description: 'must be a container image reference (a string)', type: ['string', 'null'] },
    machine_shape: {
      description: 'must be a machine shape name such as "NvidiaTeslaT4" (a string)',
      type: ['string', 'null'],
    },
  },
} as const;

const KNOWN_KEYS = new Set(Object.keys(kernelMetadataSchema.properties));

/**
 * Validates parsed kernel-metadata.json. Throws a usage error listing every wrong field, each with
 * what it must be and what it was; returns warnings (unknown keys) otherwise.
 */
export async function validateKernelMetadata(
  value: unknown,
  label = METADATA_FILE,
): Promise<{ metadata: KernelMetadataFile; warnings: string[] }> {
  const validate = await compileSchema<KernelMetadataFile>(kernelMetadataSchema);
  const ok = validate(value);
  if (!ok) {
    const problems = new Map<string, string>();
    const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    for (const e of validate.errors ?? []) {
      if (e.schemaPath.startsWith('#/anyOf/')) continue; // summarised by the anyOf error itself
      const field = e.instancePath.split('/')[1];
      if (field) {
        if (problems.has(field)) continue;
        const prop = (kernelMetadataSchema.properties as Record<string, { description: string }>)[field];
        const got = JSON.stringify(obj[field]);
        problems.set(field, `"${field}" ${prop?.description ?? e.message ?? 'is invalid'} (got ${got})`);
      } else if (e.keyword === 'required') {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        const prop = (kernelMetadataSchema.properties as Record<string, { description: string }>)[missing];
        problems.set(missing, `"${missing}" is missing: it ${prop?.description ?? 'is required'}`);
      } else if (e.keyword === 'anyOf' && !problems.has('id')) {
        problems.set('id', '"id" ("owner/slug") or "id_no" is required to say which kernel this is');
      } else if (e.keyword === 'type') {
        problems.set('(file)', 'the file must hold a JSON object');
      }
    }
    throw usageError(`${label} is not valid:\n  - ${[...problems.values()].join('\n  - ')}`, {
      code: 'KERNEL_METADATA_INVALID',
      action: 'Fix the fields above (see docs/kaggle.md, "kernel-metadata.json").',
      details: { problems: [...problems.values()] },
    });
  }
  const metadata = value as KernelMetadataFile;
  const warnings = Object.keys(metadata)
    .filter((k) => !KNOWN_KEYS.has(k))
    .map((k) => `${label}: unknown key "${k}" is ignored.`);
  for (const key of ['is_private', 'enable_gpu', 'enable_tpu', 'enable_internet'] as const) {
    const v = metadata[key];
    if (typeof v === 'string' && !['true', 'false', 'True', 'False'].includes(v))
      warnings.push(
        `${label}: ${key} "${v}" is read as ${v.toLowerCase()} (any case is accepted, as the official CLI does).`,
      );
  }
  if (metadata.title && metadata.id) {
    const slug = metadata.id.split('/')[1] ?? '';
    if (slugify(metadata.title) !== slug) {
      warnings.push(
        `The title "${metadata.title}" does not resolve to the slug "${slug}" (it gives "${slugify(metadata.title)}"); Kaggle may rename the kernel.`,
      );
    }
  }
  return { metadata, warnings };
}

function toBool(value: boolean | string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return value.toLowerCase() === 'true';
}

/** The SaveKernel body for validated metadata and the prepared code text. Empty lists are left out. */
export function saveKernelRequest(
  metadata: KernelMetadataFile,
  text: string,
  extra: { sessionTimeoutSeconds?: number; machineShape?: string } = {},
): SaveKernelRequest {
  const req: SaveKernelRequest = {
    text,
    language: metadata.kernel_type === 'notebook' && metadata.language === 'rmarkdown' ? 'r' : metadata.language,
    kernelType: metadata.kernel_type,
    isPrivate: toBool(metadata.is_private, true),
    enableGpu: toBool(metadata.enable_gpu, false),
    enableTpu: toBool(metadata.enable_tpu, false),
    enableInternet: toBool(metadata.enable_internet, true),
  };
  if (typeof metadata.id_no === 'number') req.id = metadata.id_no;
  if (metadata.id) req.slug = metadata.id;
  if (metadata.title) req.newTitle = metadata.title;
  const lists: Array<[keyof SaveKernelRequest, string[] | undefined]> = [
    ['datasetDataSources', metadata.dataset_sources],
    ['competitionDataSources', metadata.competition_sources],
    ['kernelDataSources', metadata.kernel_sources],
    ['modelDataSources', metadata.model_sources],
    ['categoryIds', metadata.keywords],
  ];
  for (const [key, values] of lists)
    if (values && values.length > 0) (req as unknown as Record<string, unknown>)[key] = values;
  if (metadata.docker_image_pinning_type) req.dockerImagePinningType = metadata.docker_image_pinning_type;
  if (metadata.docker_image) req.dockerImage = metadata.docker_image;
  const shape = extra.machineShape ?? metadata.machine_shape;
  if (shape) req.machineShape = shape;
  if (extra.sessionTimeoutSeconds) req.sessionTimeoutSeconds = extra.sessionTimeoutSeconds;
  return req;
}

/** kernel-metadata.json as `pull --metadata` writes it: the official CLI's keys, order and JSON layout. */
export function pulledMetadataJson(info: KernelInfo, codeFile: string): string {
  const data = {
    id: info.ref,
    id_no: info.id ?? null,
    title: info.title,
    code_file: codeFile,
    language: info.language,
    kernel_type: info.kernelType,
    is_private: info.isPrivate,
    enable_gpu: info.enableGpu,
    enable_tpu: info.enableTpu,
    enable_internet: info.enableInternet,
    keywords: info.categoryIds,
    dataset_sources: info.datasetDataSources,
    kernel_sources: info.kernelDataSources,
    competition_sources: info.competitionDataSources,
    model_sources: info.modelDataSources,
    docker_image: info.dockerImage ?? null,
    machine_shape: info.machineShape ?? null,
  };
  return pythonJsonDumps(data, 2);
}

/** Metadata for a notebook or script pushed without kernel-metadata.json: slug from the title. */
export function metadataForBareFile(
  owner: string,
  fileName: string,
  kind: { kernelType: 'script' | 'notebook'; language: 'python' | 'r' | 'rmarkdown' },
  title?: string,
): KernelMetadataFile {
  const base = fileName.replace(/\.[^.]+$/, '');
  let finalTitle = title?.trim() || titleFromSlug(slugify(base)) || 'Untitled';
  if (finalTitle.length < 5) finalTitle = `${finalTitle} Notebook`;
  const slug = slugify(finalTitle);
  return {
    id: `${owner}/${slug}`,
    title: finalTitle,
    code_file: fileName,
    language: kind.language,
    kernel_type: kind.kernelType,
    is_private: true,
    enable_gpu: false,
    enable_tpu: false,
    enable_internet: true,
    dataset_sources: [],
    competition_sources: [],
    kernel_sources: [],
    model_sources: [],
  };
}
