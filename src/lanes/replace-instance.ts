/**
 * Replacing a version's instance with a new build (same service and version, a new package digest) without a gap:
 *
 * 1. the new build gets a `starting` row of its own beside the old one (the unique key is service + version +
 *    digest), with the old one's description, owner and labels; the old one keeps serving;
 * 2. the runtime that started the old one starts the new build and waits for its health check; if it never passes,
 *    the new row goes, nothing switches and the old one stays (`lane.replace_failed`);
 * 3. one transaction switches: the lanes tagged with the old instance are tagged with the new one, the baseline flag
 *    moves with it, the old one is taken `down` (no route names it any more) and NOTIFY tells the routers;
 * 4. the old one drains: it runs on for `drainMs` (routers reload on the notification; requests already sent to it
 *    finish), then is stopped (SIGTERM: a service finishes what it holds) and removed.
 *
 * Should the process replacing it die between steps 3 and 4, the old row stays `down` with its process running: the
 * lanes server's sweep stops and removes it once the drain limit has passed (recover-replacements.ts).
 *
 * The old row is locked while the new one is claimed and while routes switch, so a task tagging the version meanwhile
 * either tags the old instance before the switch (and is moved with the others) or the new one after it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, ne, sql } from 'drizzle-orm';
import { appendAudit, laneInstances, laneMembers } from '../db/index.ts';
import type { Tx } from '../db/types.ts';
import { runtimeOf, stopInstance } from './instance-runtime.ts';
import { LANE_AUDIT } from './lane-audit.ts';
import { lanesUsing } from './lane-store.ts';
import type { LaneDeps } from './lane-tasks.ts';
import { announceLaneChange, findInstance, removeInstance, type LaneInstance } from './library-store.ts';
import { assertBuildDigest } from './process-runtime.ts';

/** How long the old build runs on after routes switched, unless told (routers reload on NOTIFY within milliseconds). */
export const DEFAULT_DRAIN_MS = 2_000;
/** The longest drain anyone may ask for. */
export const MAX_DRAIN_MS = 300_000;
/**
 * A new build still `starting` this long after it was claimed was abandoned (the process replacing it stopped half
 * way): the next replacement of the version removes its row instead of waiting for it forever.
 */
export const ABANDONED_BUILD_MS = 10 * 60_000;

export type ReplaceFailure = 'not-found' | 'not-up' | 'same-build' | 'not-ours' | 'in-progress' | 'unhealthy' | 'gone';

export type ReplaceResult =
  | {
      ok: true;
      service: string;
      version: string;
      /** The old build's digest ('' for a version started without one) and the new one's. */
      from: string;
      to: string;
      endpoint: string;
      /** The lanes moved to the new build. */
      lanes: string[];
      baseline: boolean;
    }
  | { ok: false; reason: ReplaceFailure; message: string };

type Claim = { ok: true; old: LaneInstance; fresh: LaneInstance } | Extract<ReplaceResult, { ok: false }>;

/** Step 1, under the old row's lock: what may be replaced, and the new build's `starting` row. */
async function claimBuild(deps: LaneDeps, tx: Tx, service: string, version: string, digest: string): Promise<Claim> {
  const old = await findInstance(tx, service, version, { lock: true });
  const name = `${service}@${version}`;
  if (old === undefined) return { ok: false, reason: 'not-found', message: `no instance ${name}` };
  if (old.state !== 'up')
    return { ok: false, reason: 'not-up', message: `${name} is ${old.state}: only an instance that is up is replaced` };
  if (old.packageDigest === digest)
    return { ok: false, reason: 'same-build', message: `${name} already runs build ${digest}` };
  if (runtimeOf(deps, old) === undefined || old.runtimeRef === null) {
    return {
      ok: false,
      reason: 'not-ours',
      message: `${name} was not started by a runtime of this process (${old.runtime}): register the new build instead`,
    };
  }
  const abandoned = await tx
    .delete(laneInstances)
    .where(
      and(
        eq(laneInstances.service, service),
        eq(laneInstances.version, version),
        ne(laneInstances.id, old.id),
        eq(laneInstances.state, 'starting'),
        sql`${laneInstances.createdAt} < now() - make_interval(secs => ${ABANDONED_BUILD_MS / 1000})`,
      ),
    )
    .returning();
  for (const row of abandoned) {
    await appendAudit(tx, {
      actor: deps.actor,
      action: LANE_AUDIT.replaceFailed,
      reason: 'abandoned',
      data: { service, version, digest: row.packageDigest, error: `still starting after ${ABANDONED_BUILD_MS} ms` },
    });
  }
  const [other] = await tx
    .select({ digest: laneInstances.packageDigest })
    .from(laneInstances)
    .where(
      and(
        eq(laneInstances.service, service),
        eq(laneInstances.version, version),
        ne(laneInstances.id, old.id),
        sql`${laneInstances.state} in ('starting', 'up')`,
      ),
    );
  if (other !== undefined)
    return { ok: false, reason: 'in-progress', message: `${name} is already being replaced (build ${other.digest})` };
  const [fresh] = await tx
    .insert(laneInstances)
    .values({
      service,
      version,
      packageDigest: digest,
      runtime: old.runtime,
      state: 'starting',
      description: old.description,
      owner: old.owner,
      labels: old.labels,
    })
    .onConflictDoNothing()
    .returning();
  if (fresh === undefined)
    return { ok: false, reason: 'in-progress', message: `${name} build ${digest} is already in the library` };
  await appendAudit(tx, {
    actor: deps.actor,
    action: LANE_AUDIT.instanceAdded,
    reason: 'new build',
    data: { service, version, digest, state: 'starting', replaces: old.packageDigest },
  });
  return { ok: true, old, fresh };
}

/** Step 3: lanes and baseline move from `old` to `fresh` (now up at `started`); false when `old` went away. */
async function switchRoutes(
  deps: LaneDeps,
  tx: Tx,
  old: LaneInstance,
  fresh: LaneInstance,
  started: { endpoint: string; ref: string },
): Promise<{ lanes: string[]; baseline: boolean } | undefined> {
  const [current] = await tx
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.id, old.id), eq(laneInstances.state, 'up')))
    .for('update');
  if (current === undefined) return undefined;
  const lanes = await lanesUsing(tx, old.id);
  await tx
    .update(laneInstances)
    .set({
      state: 'up',
      endpoint: started.endpoint,
      runtimeRef: started.ref,
      heartbeatAt: sql`now()`,
      lastUsedAt: current.lastUsedAt,
      baseline: current.baseline,
    })
    .where(eq(laneInstances.id, fresh.id));
  await tx.update(laneMembers).set({ instanceId: fresh.id }).where(eq(laneMembers.instanceId, old.id));
  await tx.update(laneInstances).set({ state: 'down', baseline: false }).where(eq(laneInstances.id, old.id));
  await appendAudit(tx, {
    actor: deps.actor,
    action: LANE_AUDIT.instanceReplaced,
    data: {
      service: old.service,
      version: old.version,
      from: old.packageDigest,
      to: fresh.packageDigest,
      endpoint: started.endpoint,
      lanes,
      baseline: current.baseline,
    },
  });
  await announceLaneChange(tx);
  return { lanes, baseline: current.baseline };
}

/** Takes the new build's row out again (it never served), audited with why. */
async function dropBuild(deps: LaneDeps, fresh: LaneInstance, reason: ReplaceFailure, error: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.delete(laneInstances).where(eq(laneInstances.id, fresh.id));
    await appendAudit(tx, {
      actor: deps.actor,
      action: LANE_AUDIT.replaceFailed,
      reason,
      data: { service: fresh.service, version: fresh.version, digest: fresh.packageDigest, error },
    });
  });
}

/**
 * Replaces `service@version`'s instance with build `digest` (a sha256 in hex) as described above. Resolves once the
 * old build is stopped and removed (or, on failure, once the new one is gone and nothing switched).
 */
export async function replaceInstance(
  deps: LaneDeps,
  service: string,
  version: string,
  options: { digest: string; drainMs?: number; url?: string },
): Promise<ReplaceResult> {
  assertBuildDigest(options.digest);
  const drainMs = Math.min(Math.max(options.drainMs ?? DEFAULT_DRAIN_MS, 0), MAX_DRAIN_MS);
  const claim = await deps.db.transaction((tx) => claimBuild(deps, tx, service, version, options.digest));
  if (!claim.ok) return claim;
  const { old, fresh } = claim;
  const runtime = runtimeOf(deps, old);
  if (runtime === undefined) throw new Error(`no runtime ${old.runtime}`);
  let started: { endpoint: string; ref: string };
  try {
    started = await runtime.start(service, version, {
      digest: options.digest,
      ...(options.url === undefined ? {} : { url: options.url }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await dropBuild(deps, fresh, 'unhealthy', message);
    return { ok: false, reason: 'unhealthy', message: `build ${options.digest} did not come up: ${message}` };
  }
  const switched = await deps.db.transaction((tx) => switchRoutes(deps, tx, old, fresh, started));
  if (switched === undefined) {
    await runtime.stop(started.ref);
    const message = `${service}@${version} went away while its new build started`;
    await dropBuild(deps, fresh, 'gone', message);
    return { ok: false, reason: 'gone', message };
  }
  await sleep(drainMs);
  await stopInstance(deps, old);
  await deps.db.transaction((tx) =>
    removeInstance(tx, old.id, deps.actor, `replaced by build ${options.digest}`, true),
  );
  return {
    ok: true,
    service,
    version,
    from: old.packageDigest,
    to: options.digest,
    endpoint: started.endpoint,
    ...switched,
  };
}
