/**
 * The lanes API's catalog routes. The API's token may sit in a CI system, so it edits only what a build produces:
 * a new version's package for a service the operator put in the catalog (host, deploy_to, start command, port range
 * and env stay as the operator wrote them, with the CLI or the catalog file). The package's location is checked by
 * the operator's artifact rule (`packageProblem`, from the policy) before it is written; a version's package is never
 * replaced (the library shares a version between lanes). The package is a `lane_catalog_packages` row (the service's
 * entry stays as the operator wrote it), audited and announced.
 */
import type { LaneCatalog } from './catalog.ts';
import type { CatalogWatcher } from './catalog-watcher.ts';
import { addCatalogPackage } from './catalog-store.ts';
import type { LaneDeps } from './lane-tasks.ts';
import { laneVersionProblem } from './lane-version.ts';

export interface CatalogApi {
  watcher: CatalogWatcher;
  /** Why a package may not come from `url` (the operator policy's artifact rule), or undefined when it may. */
  packageProblem(url: string): string | undefined;
}

/** What `GET /v1/catalog` shows: how each service runs and which versions it has packages for, no env values. */
export function catalogView(catalog: LaneCatalog): { services: Record<string, Record<string, unknown>> } {
  const services: Record<string, Record<string, unknown>> = {};
  for (const [service, entry] of Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b))) {
    services[service] =
      entry.ssh === undefined
        ? { runtime: 'process', health: entry.health }
        : {
            runtime: 'ssh',
            health: entry.health,
            host: entry.ssh.host.name,
            versions: Object.keys(entry.ssh.packages).sort(),
          };
  }
  return { services };
}

/** Adds `service@version`'s package to the catalog; the answer's status and body. */
export async function putCatalogPackage(
  deps: LaneDeps,
  api: CatalogApi,
  request: { service: string; version: string; pkg: { url: string; sha256: string } },
): Promise<{ status: number; body: unknown }> {
  const { service, version, pkg } = request;
  const versionProblem = laneVersionProblem(version);
  if (versionProblem !== undefined) return { status: 400, body: { error: `version: ${versionProblem}` } };
  const urlProblem = api.packageProblem(pkg.url);
  if (urlProblem !== undefined) return { status: 403, body: { error: `url: ${urlProblem}` } };
  // The catalog as the database has it now (this server may not have heard of the latest change yet).
  await api.watcher.reload();
  const entry = api.watcher.current()[service];
  if (entry?.ssh === undefined)
    return { status: 404, body: { error: `the lane catalog has no ssh service ${service}` } };
  const known = entry.ssh.packages[version];
  if (known !== undefined && (known.url !== pkg.url || known.sha256 !== pkg.sha256)) return taken(service, version);
  const outcome = await deps.db.transaction((tx) => addCatalogPackage(tx, { service, version, ...pkg }, deps.actor));
  if (outcome === 'taken') return taken(service, version);
  // This server takes the change at once; the others on the NOTIFY.
  await api.watcher.reload();
  return { status: 200, body: { service, version, added: outcome === 'added' } };
}

/**
 * Why a replacement of `service@version` by build `digest` may not go ahead as asked (status and message), or
 * undefined when it may. A new build's package (`url`) is taken only for an ssh service of the catalog, and only from
 * where the operator's artifact rule allows (the same rule as a new version's package: the token adds nothing else);
 * an ssh service replaced without one must have a catalog package of that version with the build's sha256. The
 * catalog is not changed: the package serves that one replacement.
 */
export async function replacementProblem(
  api: CatalogApi | undefined,
  request: { service: string; version: string; digest: string; url: string | undefined },
): Promise<{ status: number; error: string } | undefined> {
  const { service, version, digest, url } = request;
  if (api === undefined)
    return url === undefined ? undefined : { status: 400, error: 'url: this lanes server has no lane catalog' };
  if (url !== undefined) {
    const urlProblem = api.packageProblem(url);
    if (urlProblem !== undefined) return { status: 403, error: `url: ${urlProblem}` };
  }
  // The catalog as the database has it now (this server may not have heard of the latest change yet).
  await api.watcher.reload();
  const ssh = api.watcher.current()[service]?.ssh;
  if (ssh === undefined)
    return url === undefined
      ? undefined
      : { status: 400, error: `url: ${service} is not an ssh service of the lane catalog (only those take a package)` };
  if (url === undefined && ssh.packages[version]?.sha256 !== digest)
    return {
      status: 400,
      error: `the lane catalog's package of ${service}@${version} is not build ${digest}: give the new build's package url`,
    };
  return undefined;
}

function taken(service: string, version: string): { status: number; body: unknown } {
  return {
    status: 409,
    body: { error: `${service}@${version} already has a package in the catalog: a new build takes a new version` },
  };
}
