/**
 * The cloud-run artifact: the container build context of `@kagg/core/container` (Dockerfile, the
 * stdlib HTTP adapter, the shared runtime, the notebook), the same a local `container` target builds.
 * Its zip is what `kagg package --cloud-run` writes; the deploy uploads the same files as a .tar.gz.
 */
import { zipFiles } from '@kagg/core/bundle';
import { CONTAINER_CMD, CONTAINER_PORT, containerContextFiles } from '@kagg/core/container';
import type { Artifact, FunctionBundle } from '@kagg/plugin-api';
import { resolveCloudRunOptions } from './options.js';

export async function packageForCloudRun(bundle: FunctionBundle, rawOptions: unknown): Promise<Artifact> {
  const options = resolveCloudRunOptions(rawOptions as Record<string, unknown>);
  const files = await containerContextFiles(bundle);
  const zip = zipFiles(files);
  return {
    target: 'cloud-run',
    bundle,
    files,
    zip,
    metadata: {
      port: CONTAINER_PORT,
      cmd: [...CONTAINER_CMD],
      zipBytes: zip.byteLength,
      ...(options.image ? { image: options.image } : {}),
    },
  };
}
