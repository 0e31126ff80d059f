/**
 * `npm run image:check` (run by .ci/run after the tests): the Dockerfile built and started for real, without Docker.
 *
 * 1. deploy/compose.yml is checked against the server's variables (src/) and requirements (its own parsers);
 * 2. local bases are made (Debian bookworm by mmdebstrap + Node 24 from the npm registry; cached by a hash of their
 *    inputs in $YARDMASTER_IMAGE_CACHE, default ~/.cache/yardmaster-image-check, and in the local image storage);
 * 3. the image is built with `buildah bud --isolation chroot` and its filesystem listed: no dev dependency, no key,
 *    token or .env, the unprivileged user `yardmaster`;
 * 4. `yardmaster --version` runs in it, then the compose file's server (against a fresh PostgreSQL database, then on
 *    its embedded database in a volume) and worker, with `buildah run --isolation chroot --network host`.
 *
 * Prints the image size, the server's cold start (buildah run → /readyz 200) and how long each step took. Leaves
 * nothing behind: the container, the project image, the database and the temporary files go; the bases stay.
 * Needs root (buildah's storage), mmdebstrap, buildah, podman, strip, and PostgreSQL at 127.0.0.1:5432
 * (YM_TEST_MAINTENANCE_URL as in the tests).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { z } from 'zod';
import { benchCleanup } from '../bench/bench-cleanup.ts';
import { createTestPostgres, type TestPostgres } from '../test/helpers/database.ts';
import { buildImage, removeImage } from './image/build-image.ts';
import { killRunningGroups, runCommand } from './image/command.ts';
import { checkCompose, checkEnvExample, type ImageFacts } from './image/compose-check.ts';
import { yardmasterServices } from './image/compose-file.ts';
import { createContainer, removeContainer, runInContainer } from './image/container.ts';
import { startGitHubStandIn } from './image/http-wait.ts';
import { devPackagesPresent, NAMED_DEV_PACKAGES, ownedBy, secretLookingFiles, uidOf } from './image/image-files.ts';
import { ensureLocalBases } from './image/local-base.ts';
import { preflightProblems } from './image/preflight.ts';
import { dataVolume, runServer, runWorker, secretMounts, volumeContents, type RunContext } from './image/run-checks.ts';
import { serverVariables } from './image/server-variables.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const TAG = 'localhost/yardmaster:check';
const CONTAINER = 'yardmaster-image-check';
const IMAGE: ImageFacts = {
  user: { name: 'yardmaster', uid: '10001' },
  writableRoots: ['/home/yardmaster'],
};
/** Where the embedded database lives ($XDG_DATA_HOME/yardmaster): the volume's place. */
const DATA_DIR_IN_IMAGE = '/home/yardmaster/.local/share/yardmaster';
const TARGETS = { sizeMb: 250, coldStartMs: 2_000 };
const cacheDir =
  process.env.YARDMASTER_IMAGE_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'yardmaster-image-check');

const began = performance.now();
const steps: [string, number][] = [];
async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  process.stdout.write(`image:check: ${name}…\n`);
  const result = await work();
  steps.push([name, performance.now() - start]);
  return result;
}
function fail(problems: readonly string[]): never {
  throw new Error(problems.join('\n'));
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** How many migrations drizzle recorded as applied in the database at `url`. */
async function appliedMigrations(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
    return z.object({ count: z.number() }).parse(rows[0]).count;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

let work: string | undefined;
let database: TestPostgres | undefined;
let github: Awaited<ReturnType<typeof startGitHubStandIn>> | undefined;
let mounted = false;
const cleanup = benchCleanup(
  'image:check',
  async () => {
    killRunningGroups();
    if (mounted) await runCommand('buildah', ['umount', CONTAINER], { timeoutMs: 60_000 }).catch(() => undefined);
    await removeContainer(CONTAINER);
    await removeImage(TAG);
    await github?.close();
    await database?.drop().catch(() => undefined);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  },
  20 * 60_000,
);

try {
  const missing = preflightProblems();
  if (missing.length > 0) fail(missing);
  const services = yardmasterServices(readFileSync(join(repo, 'deploy/compose.yml'), 'utf8'));
  const composeVars = {
    POSTGRES_PASSWORD: 'image-check',
    APP_ID: '4242',
    WEBHOOK_SECRET: 'image-check-webhook-secret',
  };
  await step('compose.yml against the server’s variables', () => {
    const known = serverVariables(join(repo, 'src'));
    const problems = [
      ...checkCompose(services, known, composeVars, IMAGE),
      ...checkEnvExample(readFileSync(join(repo, 'deploy/yardmaster.env.example'), 'utf8'), known),
    ];
    if (problems.length > 0) fail(['deploy/compose.yml is not true to the image:', ...problems]);
  });

  const bases = await step('local bases (Debian bookworm + Node 24)', () => ensureLocalBases(repo, cacheDir));
  await step('buildah bud', () => buildImage(repo, bases, TAG));
  const { stdout: sizeText } = await runCommand('podman', ['image', 'inspect', '--format', '{{.Size}}', TAG], {
    timeoutMs: 30_000,
  });
  const sizeMb = Number(sizeText.trim()) / 1e6;

  await createContainer(TAG, CONTAINER);
  const uid = await step('the image’s filesystem', async () => {
    const { stdout } = await runCommand('buildah', ['mount', CONTAINER], { timeoutMs: 60_000 });
    mounted = true;
    const root = stdout.trim();
    try {
      const problems: string[] = [];
      const devPackages = devPackagesPresent(root, readFileSync(join(repo, 'package-lock.json'), 'utf8'));
      if (devPackages.length > 0) problems.push(`dev dependencies in the image: ${devPackages.join(', ')}`);
      for (const name of NAMED_DEV_PACKAGES)
        if (existsSync(join(root, 'app/node_modules', name))) problems.push(`${name} is in the image`);
      problems.push(...secretLookingFiles(root).map((file) => `looks like a credential: ${file}`));
      const imageUid = uidOf(root, IMAGE.user.name);
      if (imageUid !== IMAGE.user.uid)
        problems.push(`user ${IMAGE.user.name} has uid ${String(imageUid)}, not ${IMAGE.user.uid}`);
      for (const dir of [
        ...IMAGE.writableRoots,
        DATA_DIR_IN_IMAGE,
        '/home/yardmaster/.local',
        '/home/yardmaster/.cache',
      ])
        if (!ownedBy(root, dir.slice(1), IMAGE.user.uid))
          problems.push(`${dir} is missing or not owned by ${IMAGE.user.name}`);
      if (problems.length > 0) fail(problems);
      return Number(imageUid);
    } finally {
      await runCommand('buildah', ['umount', CONTAINER], { timeoutMs: 60_000 });
      mounted = false;
    }
  });
  const configUser = (
    await runCommand('buildah', ['inspect', '--format', '{{.OCIv1.Config.User}}', CONTAINER], { timeoutMs: 30_000 })
  ).stdout.trim();
  if (configUser !== IMAGE.user.name) fail([`the image runs as "${configUser}", not ${IMAGE.user.name}`]);

  const version = await step('yardmaster --version', async () => {
    const { version } = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')));
    const expected = `yardmaster ${version}`;
    const { stdout } = await runInContainer(CONTAINER, ['yardmaster', '--version']);
    if (stdout.trim() !== expected) fail([`yardmaster --version printed "${stdout.trim()}", not "${expected}"`]);
    return stdout.trim();
  });
  const overheadMs = await step('buildah run overhead (true)', async () => {
    const start = performance.now();
    await runInContainer(CONTAINER, ['true']);
    return performance.now() - start;
  });

  work = await mkdtemp(join(tmpdir(), 'yardmaster-image-check-'));
  github = await startGitHubStandIn();
  database = await createTestPostgres({ prefix: 'ym_image_' });
  const context: RunContext = {
    container: CONTAINER,
    uid,
    composeVars,
    githubApiUrl: github.url,
    work,
    dataDirInImage: DATA_DIR_IN_IMAGE,
  };
  const server = services.find((service) => service.role === 'server');
  const worker = services.find((service) => service.role === 'worker');
  if (server === undefined || worker === undefined) fail(['compose.yml has no server or no worker service']);
  const mounts = await secretMounts(services, context);
  const postgresUrl = database.url;
  const onPostgres = await step('server on PostgreSQL (fresh database)', async () => {
    const run = await runServer(server, context, mounts, { DATABASE_URL: postgresUrl });
    const applied = await appliedMigrations(postgresUrl);
    const shipped = readdirSync(join(repo, 'migrations')).filter((file) => file.endsWith('.sql')).length;
    if (applied !== shipped) fail([`the server applied ${applied} migrations of the ${shipped} in migrations/`]);
    return run;
  });
  const workerReadyMs = await step('yardmaster worker', () =>
    runWorker(worker, context, mounts, { DATABASE_URL: postgresUrl }),
  );
  const volume = await dataVolume(context);
  const embedded = await step('server on the embedded database (volume)', async () => {
    const run = await runServer(server, context, [...mounts, volume], { DATABASE_URL: '' });
    const contents = await volumeContents(volume);
    if (!contents.includes('pglite'))
      fail([`the embedded database is not in the volume (it holds: ${contents.join(', ')})`]);
    return run;
  });
  await cleanup();

  const total = performance.now() - began;
  const mark = (ok: boolean) => (ok ? 'within' : 'OVER');
  process.stdout.write(
    [
      '',
      `image:check passed (${version}; bases ${bases.cached ? 'cached' : 'built'})`,
      `  image size                        ${sizeMb.toFixed(0)} MB (${mark(sizeMb < TARGETS.sizeMb)} the ${TARGETS.sizeMb} MB target)`,
      `  cold start on PostgreSQL          ${seconds(onPostgres.processToReadyMs)} node's start → /readyz 200 (${mark(onPostgres.processToReadyMs < TARGETS.coldStartMs)} the ${seconds(TARGETS.coldStartMs)} target); ${seconds(onPostgres.coldStartMs)} from \`buildah run\`, /healthz at ${seconds(onPostgres.healthMs)}`,
      `  cold start on the embedded db     ${seconds(embedded.processToReadyMs)} node's start → /readyz 200; ${seconds(embedded.coldStartMs)} from \`buildah run\`, /healthz at ${seconds(embedded.healthMs)}`,
      `  CPU time until ready              ${seconds(onPostgres.cpuMs)} on PostgreSQL, ${seconds(embedded.cpuMs)} embedded (the server process's user + system)`,
      `  worker ready                      ${seconds(workerReadyMs)} (its "worker ready" log line)`,
      `  machine load                      ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')} on ${cpus().length} cores (start times grow with it)`,
      `  of each, buildah run's own setup  ${seconds(overheadMs)} (\`buildah run … true\`)`,
      ...steps.map(([name, ms]) => `  step: ${name.padEnd(44)} ${seconds(ms)}`),
      `  total                             ${seconds(total)}`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`\nimage:check FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  await cleanup();
  process.exitCode = 1;
}
