/**
 * The runtime the lane catalog describes: a service with `ssh` runs on its lane host (ssh runtime), any other as a
 * local process (process runtime). References say which one started an instance, so either can stop it.
 */
import type { ConnectHost } from '../deploy/types.ts';
import type { LaneCatalog } from './catalog.ts';
import { createProcessRuntime, type LaneRuntime } from './process-runtime.ts';
import { createSshRuntime, type SshLaneService } from './ssh-runtime.ts';

export interface CatalogRuntimeOptions {
  /** The catalog, or a function giving the one in force (catalog-watcher.ts): read at each start. */
  catalog: LaneCatalog | (() => LaneCatalog);
  routerUrl: string | (() => string);
  /** SSH for services with `ssh` (the process's identity and host-key policy). */
  connect?: ConnectHost;
  /** Where the release engine caches packages. */
  cacheDir: string;
  artifactsDir: string;
}

function sshServicesOf(catalog: LaneCatalog): Record<string, SshLaneService> {
  const services: Record<string, SshLaneService> = {};
  for (const [service, entry] of Object.entries(catalog)) {
    if (entry.ssh !== undefined) services[service] = { ...entry.ssh, health: entry.health, env: entry.env };
  }
  return services;
}

export function createCatalogRuntime(options: CatalogRuntimeOptions): LaneRuntime {
  const { catalog } = options;
  const catalogNow = typeof catalog === 'function' ? catalog : () => catalog;
  const local = createProcessRuntime({ catalog: catalogNow, routerUrl: options.routerUrl });
  const sshServices = (): Record<string, SshLaneService> => sshServicesOf(catalogNow());
  const remote =
    options.connect === undefined
      ? undefined
      : createSshRuntime({
          services: sshServices,
          connect: options.connect,
          artifactsDir: options.artifactsDir,
          cacheDir: options.cacheDir,
          routerUrl: options.routerUrl,
        });
  return {
    name: 'catalog',
    async start(service, version, build) {
      if (catalogNow()[service]?.ssh === undefined) {
        // A local process is started from the catalog's command: there is no package to take from a url.
        if (build?.url !== undefined)
          throw new Error(`${service} runs as a local process: a build's package url applies to ssh services only`);
        const started = await local.start(service, version, build);
        return { ...started, ref: `process:${started.ref}` };
      }
      if (remote === undefined)
        throw new Error(`${service} runs on a lane host over ssh, and this process has no SSH identity`);
      const started = await remote.start(service, version, build);
      return { ...started, ref: `ssh:${started.ref}` };
    },
    async stop(ref) {
      if (ref.startsWith('ssh:')) await remote?.stop(ref.slice('ssh:'.length));
      else await local.stop(ref.replace(/^process:/, ''));
    },
  };
}
