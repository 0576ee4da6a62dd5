/**
 * FromSchema: the settings type derived from a JSON Schema agrees with the schema. Each value below
 * is checked twice: by the type checker (`npm test` runs tsc on tests; `@ts-expect-error` fails the
 * build when the type accepts what it should refuse) and by ajv at run time (the schema refuses
 * exactly the values the type refuses).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FromSchema } from '@kagg/plugin-api';
import { Ajv } from 'ajv';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['region'],
  properties: {
    region: { type: 'string' },
    memory: { type: 'integer' },
    public: { type: 'boolean' },
    runtime: { enum: ['python3.12', 'python3.13'] },
    environment: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
  },
} as const;
type Options = FromSchema<typeof schema>;

const accepted: Options[] = [
  { region: 'eu-west-1' },
  { region: 'eu-west-1', memory: 512, public: false, runtime: 'python3.13', environment: { A: 'b' }, tags: ['x'] },
];
const refused = [
  // @ts-expect-error region is required
  { memory: 512 } satisfies Options,
  // @ts-expect-error memory is a number
  { region: 'r', memory: '512' } satisfies Options,
  // @ts-expect-error runtime is one of the enum's values
  { region: 'r', runtime: 'python2.7' } satisfies Options,
  // @ts-expect-error environment values are strings
  { region: 'r', environment: { A: 1 } } satisfies Options,
  // @ts-expect-error no setting the schema does not declare
  { region: 'r', nope: true } satisfies Options,
];

it('the derived type accepts and refuses what the schema does', () => {
  const validate = new Ajv({ strict: false }).compile(schema);
  for (const value of accepted) assert.ok(validate(value), JSON.stringify(value));
  for (const value of refused) assert.ok(!validate(value), JSON.stringify(value));
});
