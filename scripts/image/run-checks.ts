/**
 * The image started for real, as deploy/compose.yml starts it: the server against a fresh PostgreSQL database and
 * on its embedded database in a writable volume, and a worker; each from the compose service's command and
 * environment (DATABASE_URL, PORT and GITHUB_API_URL replaced to fit this machine), its secrets mounted where the
 * compose file mounts them, and checked to run as the image's user.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvedEnvironment } from './compose-check.ts';
import type { YardmasterService } from './compose-file.ts';
import { startInContainer, type Mount } from './container.ts';
import { freePort, waitFor200 } from './http-wait.ts';

/** How long a process may take to answer before the check fails (cold start on a busy 2-core machine). */
const START_TIMEOUT_MS = 90_000;
/** The image's stop grace (compose: stop_grace_period 45 s). */
const STOP_GRACE_MS = 45_000;

export interface RunContext {
  container: string;
  uid: number;
  /** Values Compose would interpolate into the services' environment. */
  composeVars: Record<string, string>;
  githubApiUrl: string;
  work: string;
  dataDirInImage: string;
}

/** Writes throwaway keys where each secret of the services is mounted from, owned by the image's user. */
export async function secretMounts(services: readonly YardmasterService[], context: RunContext): Promise<Mount[]> {
  const dir = join(context.work, 'secrets');
  await mkdir(dir, { recursive: true });
  const paths = new Set(services.flatMap((service) => service.secretPaths));
  const mounts: Mount[] = [];
  for (const path of paths) {
    const host = join(dir, path.slice(path.lastIndexOf('/') + 1));
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await writeFile(host, privateKey, { mode: 0o400 });
    await chown(host, context.uid, context.uid);
    mounts.push({ host, container: path, readOnly: true });
  }
  return mounts;
}

function environmentFor(service: YardmasterService, context: RunContext, overrides: Record<string, string>) {
  const { env, problems } = resolvedEnvironment(service, context.composeVars);
  if (problems.length > 0) throw new Error(`compose service ${service.name}: ${problems.join('; ')}`);
  return { ...env, GITHUB_API_URL: context.githubApiUrl, ...overrides };
}

export interface ServerRun {
  /** buildah run spawned → /readyz 200, in ms. */
  coldStartMs: number;
  /** buildah run spawned → /healthz 200, in ms. */
  healthMs: number;
  /** CPU time the server's process used until /readyz answered, in ms. */
  cpuMs: number;
  /** The server's process start (exec of node in the container) → /readyz 200, in ms. */
  processToReadyMs: number;
}

/** Starts the server service, waits for /healthz and /readyz, checks its uid, stops it (exit 0 expected). */
export async function runServer(
  service: YardmasterService,
  context: RunContext,
  mounts: readonly Mount[],
  overrides: Record<string, string>,
): Promise<ServerRun> {
  const port = await freePort();
  const env = environmentFor(service, context, { ...overrides, PORT: String(port) });
  const running = startInContainer(context.container, service.command, { env, mounts });
  const gone = () => running.exitCode() !== undefined;
  try {
    const healthAt = await waitFor200(`http://127.0.0.1:${port}/healthz`, START_TIMEOUT_MS, gone);
    const readyAt = await waitFor200(`http://127.0.0.1:${port}/readyz`, START_TIMEOUT_MS, gone);
    const cpuMs = running.cpuMs() ?? Number.NaN;
    const processToReadyMs = (running.ageMs() ?? Number.NaN) - (performance.now() - readyAt);
    const uid = running.uid();
    if (uid !== context.uid)
      throw new Error(`the server runs as uid ${String(uid)}, not the image's user ${context.uid}`);
    const exit = await running.stop(STOP_GRACE_MS);
    if (exit !== 0) throw new Error(`the server exited ${String(exit)} on SIGTERM, not 0`);
    return {
      coldStartMs: readyAt - running.startedAt,
      healthMs: healthAt - running.startedAt,
      cpuMs,
      processToReadyMs,
    };
  } catch (error) {
    await running.stop(5_000);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- its output:\n${running.output().slice(-4_000)}`,
    );
  }
}

/** Starts the worker service, waits for its "worker ready" log line, checks its uid, stops it (exit 0 expected). */
export async function runWorker(
  service: YardmasterService,
  context: RunContext,
  mounts: readonly Mount[],
  overrides: Record<string, string>,
): Promise<number> {
  const env = environmentFor(service, context, overrides);
  const running = startInContainer(context.container, service.command, { env, mounts });
  try {
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!running.output().includes('"msg":"worker ready"')) {
      if (running.exitCode() !== undefined) throw new Error(`the worker exited ${String(running.exitCode())}`);
      if (performance.now() > deadline) throw new Error(`the worker was not ready within ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const readyMs = performance.now() - running.startedAt;
    const uid = running.uid();
    if (uid !== context.uid)
      throw new Error(`the worker runs as uid ${String(uid)}, not the image's user ${context.uid}`);
    const exit = await running.stop(STOP_GRACE_MS);
    if (exit !== 0) throw new Error(`the worker exited ${String(exit)} on SIGTERM, not 0`);
    return readyMs;
  } catch (error) {
    await running.stop(5_000);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- its output:\n${running.output().slice(-4_000)}`,
    );
  }
}

/** A fresh directory for the embedded database's volume, owned by the image's user. */
export async function dataVolume(context: RunContext): Promise<Mount> {
  const host = join(context.work, `data-${randomBytes(4).toString('hex')}`);
  await mkdir(host, { mode: 0o700 });
  await chown(host, context.uid, context.uid);
  return { host, container: context.dataDirInImage };
}

/** The names the embedded database left in its volume (empty: it wrote somewhere else). */
export async function volumeContents(volume: Mount): Promise<string[]> {
  return readdir(volume.host);
}
