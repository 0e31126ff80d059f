/**
 * A release worker in a process of its own, for tests that kill it mid-release: `node release-worker-process.ts`
 * with YM_WORKER_SETTINGS (JSON) in its environment. Prints `{"type":"ready"}` and then every worker event as a JSON
 * line on stdout (engine output lines only when `outputEvents` is not false: a test printing hundreds of MB leaves
 * them out).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RepoConfig } from '../../src/config/types.ts';
import { openDatabase } from '../../src/db/client.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES } from '../../src/dispatch/release-queues.ts';
import { startReleaseWorker } from '../../src/dispatch/release-worker.ts';
import { connectWith } from './release-fixtures.ts';

const settingsSchema = z.object({
  databaseUrl: z.string(),
  privateKeyPath: z.string(),
  user: z.string(),
  // Built by the test from typed values; only its shape as an object is checked here.
  config: z.custom<RepoConfig>((value) => typeof value === 'object' && value !== null),
  artifactsDir: z.string(),
  cacheDir: z.string(),
  workerId: z.string(),
  leaseMs: z.number(),
  outputEvents: z.boolean().default(true),
});

const settings = settingsSchema.parse(JSON.parse(process.env.YM_WORKER_SETTINGS ?? '{}'));
const database = await openDatabase({ url: settings.databaseUrl });
const queue = await openQueue(database, { queues: RELEASE_QUEUES });
const privateKey = await readFile(settings.privateKeyPath);
await startReleaseWorker({
  database,
  queue,
  connect: connectWith(privateKey, settings.user),
  loadConfig: () => Promise.resolve({ ok: true, config: settings.config }),
  artifactsDir: settings.artifactsDir,
  cacheDir: settings.cacheDir,
  workerId: settings.workerId,
  leaseMs: settings.leaseMs,
  sweepIntervalMs: 0,
  pollingIntervalSeconds: 0.5,
  onEvent: (event) => {
    if (settings.outputEvents || event.type !== 'release' || event.event.type !== 'output')
      process.stdout.write(`${JSON.stringify(event)}\n`);
  },
});
process.stdout.write('{"type":"ready"}\n');
