/**
 * The inbox's side of the subject claims (subject-claims.ts): which subjects this server holds, a timer that renews
 * their leases, and the stall sweep (a periodic job run by one server per period, src/db/periodic-jobs.ts) that finds
 * subjects with deliveries no server holds (never claimed, or left by a server that died) and queues them there.
 */
import { startPeriodicJob } from '../db/index.ts';
import {
  claimSubject,
  releaseAllSubjectClaims,
  releaseSubjectClaim,
  renewSubjectClaims,
  stalledSubjects,
} from './subject-claims.ts';
import type { InboxState } from './delivery-inbox-state.ts';

export { type ClaimsState, newClaimsState } from './delivery-claims-state.ts';

/** The periodic job that looks for subjects no server holds. */
export const STALL_SWEEP_JOB = 'github.stalled-deliveries';

/** Takes or keeps `subjectKey` for this server; false when another server holds it. */
export async function holdSubject(state: InboxState, subjectKey: string): Promise<boolean> {
  const { claims } = state;
  const ok = await claimSubject(state.db, subjectKey, claims.holder, claims.leaseMs);
  if (ok) claims.held.add(subjectKey);
  else claims.held.delete(subjectKey);
  return ok;
}

/** Lets `subjectKey` go. */
export async function letSubjectGo(state: InboxState, subjectKey: string): Promise<void> {
  state.claims.held.delete(subjectKey);
  await releaseSubjectClaim(state.db, subjectKey, state.claims.holder);
}

async function renew(state: InboxState): Promise<void> {
  const { claims } = state;
  const keys = [...claims.held];
  if (keys.length === 0) return;
  try {
    const kept = await renewSubjectClaims(state.db, keys, claims.holder, claims.leaseMs);
    for (const key of keys) {
      if (kept.has(key) || !claims.held.has(key)) continue;
      // Our lease ran out before this renewal (the process stalled, or the database was away) and the claim is gone
      // or another server's: the next handling here asks again before it touches the subject.
      claims.held.delete(key);
      state.log.warn({ subject: key }, 'lost the claim of a subject: its lease ran out');
    }
  } catch (error) {
    state.log.warn({ err: error }, 'could not renew the claims of subjects');
  }
}

async function sweep(state: InboxState, queue: (subjectKey: string, row: number) => void): Promise<void> {
  if (state.closed) return;
  try {
    const stalled = await stalledSubjects(state.db);
    for (const { subjectKey, row } of stalled) {
      if (state.claims.held.has(subjectKey) || state.claims.swept.has(subjectKey)) continue;
      state.claims.swept.add(subjectKey);
      state.log.info({ subject: subjectKey, row }, 'taking up a subject no server holds');
      queue(subjectKey, row);
    }
  } catch (error) {
    state.log.warn({ err: error }, 'could not look for stalled subjects');
  }
}

/** Starts the lease renewal and the stall sweep (`queue` puts a subject's handling on this server's runner). */
export function startClaimTimers(state: InboxState, queue: (subjectKey: string, row: number) => void): void {
  const { claims } = state;
  const every = (ms: number, task: () => Promise<void>): NodeJS.Timeout => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void task().finally(() => {
        running = false;
      });
    }, ms);
    timer.unref();
    return timer;
  };
  claims.timers.push(every(Math.max(50, Math.floor(claims.leaseMs / 3)), () => renew(state)));
  // One server sweeps per period (any can: a stalled subject is claimed by whoever handles it).
  claims.sweep = startPeriodicJob({
    db: state.db,
    name: STALL_SWEEP_JOB,
    periodMs: claims.sweepMs,
    leaseMs: claims.leaseMs,
    holder: claims.holder,
    log: state.log,
    run: () => sweep(state, queue),
  });
}

/** Stops the timers; with `release`, lets every subject this server holds go (nothing of theirs runs here any more). */
export async function stopClaims(state: InboxState, release: boolean): Promise<void> {
  for (const timer of state.claims.timers) clearInterval(timer);
  state.claims.timers = [];
  await state.claims.sweep?.stop();
  state.claims.sweep = undefined;
  if (!release) return;
  try {
    await releaseAllSubjectClaims(state.db, state.claims.holder);
    state.claims.held.clear();
  } catch (error) {
    state.log.warn({ err: error }, 'could not release the claims of subjects: they end with their lease');
  }
}
