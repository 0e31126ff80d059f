/**
 * Starts the data plane an operator chose: `node` (the lane router, the default: nothing to install) or `nginx`
 * (Debian's nginx in a directory of its own under the temporary directory, removed when the plane closes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataPlane, DataPlaneEngine, DataPlaneOptions } from './data-plane.ts';
import { startNginxDataPlane } from './nginx-data-plane.ts';
import { startNodeDataPlane } from './node-data-plane.ts';

export const DATA_PLANE_ENGINES: readonly DataPlaneEngine[] = ['node', 'nginx'];

export async function startDataPlane(
  engine: DataPlaneEngine,
  options: DataPlaneOptions & { log: { warn(fields: object, message: string): void } },
): Promise<DataPlane> {
  const { log, ...planeOptions } = options;
  if (engine === 'node') return startNodeDataPlane(planeOptions);
  const dir = await mkdtemp(join(tmpdir(), 'yardmaster-nginx-'));
  try {
    const plane = await startNginxDataPlane({
      ...planeOptions,
      dir,
      onSkipped: (problems) => {
        log.warn({ problems }, 'lane routes left out of the nginx configuration');
      },
    });
    return {
      engine: plane.engine,
      url: plane.url,
      apply: (table) => plane.apply(table),
      pids: () => plane.pids(),
      close: async () => {
        await plane.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
