/**
 * The endpoint registry: KAGG_HOME/endpoints.json, validated against its JSON Schema, changed only
 * under a file lock with atomic writes, so concurrent kagg processes never lose an entry and a crash
 * never leaves a torn file. A corrupt file is reported and backed up, never silently replaced.
 */
import { copyFile, readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { KaggError } from '../errors/index.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { withFileLock } from '../fs/lock.js';
import { compileSchema, describeErrors } from '../schema/index.js';
import { registrySchema } from './schema.js';
import type { EndpointEntry, RegistryFile } from './types.js';

type Validator = ((data: unknown) => data is RegistryFile) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

/** The build precompiles the schema (scripts/schemas.mjs); compiling at run time is the fallback. */
async function registryValidator(): Promise<Validator> {
  if (validator) return validator;
  try {
    validator = (await import(new URL('./registry.validate.cjs', import.meta.url).href)).default as Validator;
  } catch {
    validator = (await compileSchema<RegistryFile>(registrySchema)) as Validator;
  }
  return validator;
}

export class EndpointRegistry {
  constructor(readonly file: string) {}

  /** All entries, sorted by name. */
  async list(): Promise<EndpointEntry[]> {
    const data = await this.read();
    return Object.values(data.endpoints).sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<EndpointEntry | undefined> {
    return (await this.read()).endpoints[name];
  }

  /** Like `get`, but a missing name is an error that lists what exists. */
  async require(name: string): Promise<EndpointEntry> {
    const data = await this.read();
    const entry = data.endpoints[name];
    if (entry) return entry;
    const names = Object.keys(data.endpoints).sort();
    throw new KaggError(`no endpoint named "${name}" in the registry (${this.file})`, {
      code: 'ENDPOINT_NOT_FOUND',
      action: names.length > 0 ? `known endpoints: ${names.join(', ')}` : 'deploy one with `kagg deploy NOTEBOOK`',
    });
  }

  /** Applies `change` to the current content under the lock and writes the result atomically. */
  async update<T>(change: (data: RegistryFile) => T | Promise<T>): Promise<T> {
    return withFileLock(this.file, async () => {
      const data = await this.read();
      const result = await change(data);
      await this.validate(data, 'refusing to write an invalid registry');
      await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
      return result;
    });
  }

  /** Inserts or replaces an entry, keeping `createdAt` of an existing one. */
  async upsert(entry: Omit<EndpointEntry, 'createdAt' | 'updatedAt'>): Promise<EndpointEntry> {
    return this.update((data) => {
      const now = new Date().toISOString();
      const previous = data.endpoints[entry.name];
      const next: EndpointEntry = { ...entry, createdAt: previous?.createdAt ?? now, updatedAt: now };
      data.endpoints[entry.name] = next;
      return next;
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.update((data) => {
      const existed = name in data.endpoints;
      delete data.endpoints[name];
      return existed;
    });
  }

  /** Reads and validates the file; a missing file is an empty registry. */
  async read(): Promise<RegistryFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, endpoints: {} };
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return this.corrupt([`not valid JSON: ${(error as Error).message}`]);
    }
    return this.validate(data, 'the registry is corrupt');
  }

  private async validate(data: unknown, what: string): Promise<RegistryFile> {
    const check = await registryValidator();
    if (check(data)) {
      for (const [key, entry] of Object.entries(data.endpoints)) {
        if (entry.name !== key) return this.corrupt([`/endpoints/${key}/name: is "${entry.name}", not "${key}"`]);
      }
      return data;
    }
    if (what.startsWith('refusing')) {
      throw new KaggError(`${what}: ${describeErrors(check.errors).join('; ')}`, { code: 'REGISTRY_INVALID_ENTRY' });
    }
    return this.corrupt(describeErrors(check.errors));
  }

  private async corrupt(problems: string[]): Promise<never> {
    const backup = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await copyFile(this.file, backup);
    throw new KaggError(`the endpoint registry ${this.file} is corrupt: ${problems.slice(0, 5).join('; ')}`, {
      code: 'REGISTRY_CORRUPT',
      action: `a copy was saved to ${backup}; fix ${this.file} by hand or move it aside (kagg will not overwrite it)`,
      details: { file: this.file, backup, problems },
    });
  }
}
