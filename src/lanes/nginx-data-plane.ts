/**
 * The `nginx` data plane: Debian's nginx run from a directory Yardmaster owns, listening on 127.0.0.1 (a free port
 * when none is given). Every route change rewrites the config (nginx-config.ts), checks it with `nginx -t` (a
 * refused config leaves the one in force untouched) and reloads gracefully (`nginx -s reload`): the master stays,
 * new workers route by the new table, old ones finish the requests they hold. No restart.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../lib/free-port.ts';
import type { DataPlane, DataPlaneOptions } from './data-plane.ts';
import { NGINX_TEMP_DIRS, nginxSafePath, renderNginxConfig } from './nginx-config.ts';
import { askControlSocket, NGINX_BINARY, type NginxProcess, spawnNginx, testNginxConfig } from './nginx-process.ts';
import { EMPTY_ROUTES, type RouteTable } from './route-table.ts';

export interface NginxDataPlaneOptions extends DataPlaneOptions {
  /** The directory nginx runs in: its config, pid file, error log, control socket and temporary files. */
  dir: string;
  /** The nginx binary (default Debian's /usr/sbin/nginx). */
  binary?: string;
  workers?: number;
  /** Told of route table entries left out of the config (values nginx must not be given). */
  onSkipped?: (problems: readonly string[]) => void;
}

export interface NginxDataPlane extends DataPlane {
  /** The nginx master's process id (it stays the same across route changes). */
  masterPid(): number;
  /** The master's and the workers' process ids. */
  pids(): number[];
}

async function errorLogTail(dir: string): Promise<string> {
  const text = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  return text.split('\n').slice(-6).join('\n').trim();
}

export async function startNginxDataPlane(options: NginxDataPlaneOptions): Promise<NginxDataPlane> {
  const dir = nginxSafePath(options.dir);
  const binary = options.binary ?? NGINX_BINARY;
  const host = options.host ?? '127.0.0.1';
  const file = join(dir, 'nginx.conf');
  const socket = join(dir, 'control.sock');
  for (const sub of NGINX_TEMP_DIRS) await mkdir(join(dir, sub), { recursive: true });
  let generation = 0;

  const render = (table: RouteTable, port: number) => {
    generation += 1;
    const config = renderNginxConfig(table, {
      dir,
      host,
      port,
      generation,
      ...(options.domain === undefined ? {} : { domain: options.domain }),
      ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    });
    if (config.skipped.length > 0) options.onSkipped?.(config.skipped);
    return config.text;
  };

  /** Resolves once the control socket answers `expected`; throws if nginx exits or does not get there. */
  const answering = async (nginx: NginxProcess, expected: number): Promise<void> => {
    for (let attempt = 0; attempt < 1_000; attempt++) {
      if (nginx.exited()) break;
      const answer = await askControlSocket(socket, '/generation');
      if (answer?.status === 200 && answer.body === String(expected)) return;
      await sleep(10);
    }
    throw new Error(
      `nginx did not come up with config ${expected}: ${nginx.output().trim()} ${await errorLogTail(dir)}`.trim(),
    );
  };

  const start = async (): Promise<{ nginx: NginxProcess; port: number }> => {
    for (let attempt = 1; ; attempt++) {
      const port = options.port === 0 ? ((await freePorts(1))[0] ?? 0) : options.port;
      await writeFile(file, render(EMPTY_ROUTES, port), { mode: 0o600 });
      await testNginxConfig(binary, dir, file);
      const nginx = spawnNginx(binary, dir, file);
      try {
        await answering(nginx, generation);
        return { nginx, port };
      } catch (error) {
        await nginx.stop();
        // A free port may be taken between finding and binding it: try another.
        if (options.port !== 0 || attempt >= 3) throw error;
      }
    }
  };

  const { nginx, port } = await start();
  let queue: Promise<void> = Promise.resolve();
  const apply = async (table: RouteTable): Promise<void> => {
    const next = join(dir, 'nginx.next.conf');
    await writeFile(next, render(table, port), { mode: 0o600 });
    await testNginxConfig(binary, dir, next);
    await rename(next, file);
    await nginx.reload();
    await answering(nginx, generation);
  };
  return {
    engine: 'nginx',
    url: `http://${host}:${port}`,
    masterPid: () => nginx.pid,
    pid: () => nginx.pid,
    pids: () => nginx.pids(),
    apply(table) {
      // One change at a time, in the order given.
      const applied = queue.then(() => apply(table));
      queue = applied.catch(() => undefined);
      return applied;
    },
    async close() {
      await queue;
      await nginx.stop();
    },
  };
}
