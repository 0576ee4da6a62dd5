#!/usr/bin/env node
// The published entry point: compiled commands, the committed oclif.manifest.json.
import { execute } from '@oclif/core/execute';

await execute({ dir: import.meta.url });
