/**
 * JSON Schemas of `kagg batch`: one schema for batch files (every format's items are checked against
 * its item part, with ajv), and the schema of the `--report` / `--json` report.
 */

const itemProperties = {
  input: {
    type: 'string',
    minLength: 1,
    description: 'Kernel ref, Kaggle URL, notebook, folder, URL, or endpoint name.',
  },
  name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Endpoint name (deploy).' },
  target: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'Target id (deploy).' },
  path: { type: 'string', minLength: 1, description: 'Output folder (download, run).' },
  region: { type: 'string', minLength: 1 },
  memory: { type: 'integer', minimum: 128 },
  timeout: { type: 'integer', minimum: 1 },
  public: { type: 'boolean' },
  set: { type: 'array', items: { type: 'string', pattern: '^[^=\\s]+=' } },
  env: {
    type: 'object',
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    additionalProperties: { type: 'string' },
  },
  force: { type: 'boolean' },
} as const;

/** One item (an object; JSON arrays may also hold plain strings, which mean `{ "input": … }`). */
export const batchItemSchema = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: itemProperties,
} as const;

const { input: _input, ...defaultProperties } = itemProperties;

/** `defaults` of the JSON object form: every item field but `input`. */
export const batchDefaultsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: defaultProperties,
} as const;

/**
 * A JSON batch file: an array of items (objects or strings), or `{ defaults, items }`. Text, CSV and
 * JSON Lines files are read into the same items and checked against `batchItemSchema`.
 */
export const batchFileSchema = {
  $id: 'https://kagg.dev/schemas/batch-file.json',
  oneOf: [
    { type: 'array', items: { anyOf: [{ type: 'string', minLength: 1 }, batchItemSchema] } },
    {
      type: 'object',
      required: ['items'],
      additionalProperties: false,
      properties: {
        $schema: { type: 'string' },
        defaults: batchDefaultsSchema,
        items: { type: 'array', items: { anyOf: [{ type: 'string', minLength: 1 }, batchItemSchema] } },
      },
    },
  ],
} as const;

const errorSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  ],
} as const;

/** The report `kagg batch --report FILE` writes and `--json` prints. */
export const batchReportSchema = {
  $id: 'https://kagg.dev/schemas/batch-report.json',
  type: 'object',
  required: ['id', 'file', 'operation', 'createdAt', 'finishedAt', 'status', 'dryRun', 'parallel', 'counts', 'items'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^\\d{8}-\\d{6}-[0-9a-f]{4}$' },
    file: { type: 'string' },
    operation: { enum: ['download', 'run', 'deploy', 'preprocess', 'destroy'] },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { anyOf: [{ type: 'null' }, { type: 'string', format: 'date-time' }] },
    status: { enum: ['finished', 'interrupted', 'stopped', 'running', 'dry-run'] },
    dryRun: { type: 'boolean' },
    parallel: { type: 'integer', minimum: 1 },
    counts: {
      type: 'object',
      required: ['total', 'succeeded', 'failed', 'invalid', 'skipped'],
      additionalProperties: false,
      properties: {
        total: { type: 'integer', minimum: 0 },
        succeeded: { type: 'integer', minimum: 0 },
        failed: { type: 'integer', minimum: 0 },
        invalid: { type: 'integer', minimum: 0 },
        skipped: { type: 'integer', minimum: 0 },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['item', 'line', 'input', 'operation', 'status', 'attempts', 'durationMs', 'result', 'error'],
        additionalProperties: false,
        properties: {
          item: { type: 'integer', minimum: 1 },
          line: { type: 'integer', minimum: 1 },
          input: { type: 'string' },
          operation: { enum: ['download', 'run', 'deploy', 'preprocess', 'destroy'] },
          name: { type: 'string' },
          target: { type: 'string' },
          status: { enum: ['succeeded', 'failed', 'invalid', 'skipped', 'planned'] },
          attempts: { type: 'integer', minimum: 0 },
          durationMs: { type: 'integer', minimum: 0 },
          result: { anyOf: [{ type: 'null' }, { type: 'object' }] },
          error: errorSchema,
        },
      },
    },
    /** Under `--json`, what the run warned about (a skipped line, a value kagg adjusted). */
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;
