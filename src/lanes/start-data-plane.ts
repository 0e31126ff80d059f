/**
 * Starts the data plane an operator chose: `node` (the lane router, the default: nothing to install), `haproxy`
 * (Debian's HAProxy in a directory of its own under the temporary directory, removed when the plane closes; or, given
 * `haproxySocket`, the operator's HAProxy through its runtime API) or `nginx` (Debian's nginx in a directory of its
 * own under the temporary directory, removed when the plane closes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataPlane, DataPlaneEngine, DataPlaneOptions } from './data-plane.ts';
import { attachHaproxyDataPlane, startHaproxyDataPlane } from './haproxy-data-plane.ts';
import { startNginxDataPlane } from './nginx-data-plane.ts';
import { startNodeDataPlane } from './node-data-plane.ts';

export const DATA_PLANE_ENGINES: readonly DataPlaneEngine[] = ['node', 'haproxy', 'nginx'];

export interface StartDataPlaneOptions extends DataPlaneOptions {
  log: { warn(fields: object, message: string): void };
  /** `haproxy`: attach to the HAProxy whose runtime API socket this is, instead of running one. */
  haproxySocket?: string;
  /** `haproxy`: told when HAProxy was found restarted (its routes were applied again from the last table). */
  onRestart?: () => void;
  /** The engine's threads (`haproxy`: nbthread, default one per CPU) or worker processes (`nginx`: default 1). */
  threads?: number;
}

/** Runs `start` with a fresh `yardmaster-<engine>-*` directory, removed when the plane closes (or fails to start). */
async function inOwnDirectory(engine: string, start: (dir: string) => Promise<DataPlane>): Promise<DataPlane> {
  const dir = await mkdtemp(join(tmpdir(), `yardmaster-${engine}-`));
  try {
    const plane = await start(dir);
    return {
      ...plane,
      apply: (table) => plane.apply(table),
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

export async function startDataPlane(engine: DataPlaneEngine, options: StartDataPlaneOptions): Promise<DataPlane> {
  const { log, haproxySocket, onRestart, threads, ...planeOptions } = options;
  if (engine === 'node') return startNodeDataPlane(planeOptions);
  const onSkipped = (problems: readonly string[]) => {
    log.warn({ problems }, `lane routes left out of the ${engine} configuration`);
  };
  const told = onRestart === undefined ? {} : { onRestart };
  if (engine === 'haproxy') {
    if (haproxySocket !== undefined) {
      if (planeOptions.port === 0) throw new Error('an attached HAProxy: give the port its config binds, not 0');
      const host = planeOptions.host ?? '127.0.0.1';
      return attachHaproxyDataPlane({
        socket: haproxySocket,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${planeOptions.port}`,
        onSkipped,
        log,
        ...told,
      });
    }
    return inOwnDirectory('haproxy', (dir) =>
      startHaproxyDataPlane({
        ...planeOptions,
        dir,
        onSkipped,
        log,
        ...told,
        ...(threads === undefined ? {} : { threads }),
      }),
    );
  }
  return inOwnDirectory('nginx', (dir) =>
    startNginxDataPlane({ ...planeOptions, dir, onSkipped, ...(threads === undefined ? {} : { workers: threads }) }),
  );
}
