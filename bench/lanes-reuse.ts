/** `bench:lanes` only: how many instances 20 random tasks over 12 services deploy with the shared library. */
import type { Database } from '../src/db/types.ts';
import { resolveTask, type LaneDeps } from '../src/lanes/lane-tasks.ts';
import { putInstance } from '../src/lanes/library-store.ts';

/** 20 tasks over 12 services, each service at the baseline (60%) or one of three versions; a fixed seed. */
export async function reuse(db: Database): Promise<string> {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const services = Array.from({ length: 12 }, (_, index) => `svc${index + 1}`);
  const deps: LaneDeps = {
    db: db.db,
    // Counting, not starting: every deployed version gets an address of its own.
    runtime: {
      name: 'bench',
      start: (service, version) => Promise.resolve({ endpoint: `http://127.0.0.1:9/${service}/${version}`, ref: '' }),
      stop: () => Promise.resolve(),
    },
    actor: 'bench',
  };
  for (const service of services)
    await db.db.transaction((tx) =>
      putInstance(
        tx,
        { service, version: '0', endpoint: `http://127.0.0.1:9/${service}`, baseline: true, runtime: 'bench' },
        'bench',
      ),
    );
  let deployed = 0;
  let missingPerTask = 0;
  for (let task = 0; task < 20; task++) {
    const wanted = Object.fromEntries(
      services.map((service) => [service, random() < 0.6 ? 'baseline' : String(1 + Math.floor(random() * 3))]),
    );
    const resolution = await resolveTask(deps, {
      lane: `task-${task}`,
      services: wanted,
      calls: [],
      mode: 'fallback',
      ttlMs: 3_600_000,
    });
    if (!resolution.ok) throw new Error(resolution.message);
    deployed += resolution.deployed;
    missingPerTask += Object.values(wanted).filter((version) => version !== 'baseline').length;
  }
  return `20 tasks over 12 services: ${deployed} instances deployed with the shared library; ${missingPerTask} if each task deployed its own versions; ${20 * 12} for a full copy per task`;
}
