/** An ISO-8601 timestamp (a pattern, not an ajv format, so the validator compiles standalone). */
const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

/** JSON Schema of endpoints.json, the endpoint registry (version 1). */
export const registrySchema = {
  $id: 'https://kagg.dev/schemas/registry-v1.json',
  type: 'object',
  required: ['version', 'endpoints'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    endpoints: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
      additionalProperties: { $ref: '#/$defs/endpoint' },
    },
  },
  $defs: {
    endpoint: {
      type: 'object',
      required: ['name', 'target', 'url', 'auth', 'bundleHash', 'providerIds', 'createdAt', 'updatedAt'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        target: { type: 'string', minLength: 1 },
        url: { type: 'string' },
        auth: { enum: ['public', 'private'] },
        bundleHash: { type: 'string' },
        region: { type: 'string' },
        source: { type: 'string' },
        providerIds: {
          type: 'object',
          additionalProperties: { type: ['string', 'number'] },
        },
        resourceName: { type: 'string' },
        fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        state: { const: 'pending' },
        createdAt: { type: 'string', pattern: DATE_TIME },
        updatedAt: { type: 'string', pattern: DATE_TIME },
        legacy: {
          type: 'object',
          required: ['provider'],
          additionalProperties: false,
          properties: { provider: { type: 'string' }, metadata: {} },
        },
      },
    },
  },
} as const;

/** The replaced tool's `.kaggle_state/endpoints.json`: `{ name: { url, provider, metadata, created_at } }`. */
export const legacyRegistrySchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', minLength: 1 },
      provider: { type: 'string' },
      metadata: { type: ['object', 'null'] },
      created_at: { type: ['number', 'string', 'null'] },
    },
  },
} as const;
