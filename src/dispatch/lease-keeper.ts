/**
 * While a release runs, its worker renews the environment lock's lease and looks for abort requests, both on one
 * heartbeat. A lease that cannot be renewed means another worker took the release over (this one stalled past its
 * lease): the release must stop at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/types.ts';
import {
  pendingAbortRequest,
  renewEnvironmentLock,
  type AbortRequest,
  type EnvironmentKey,
  type LockClaim,
} from '../workorders/service/index.ts';

export interface LeaseKeeperOptions {
  key: EnvironmentKey;
  claim: LockClaim;
  intervalMs: number;
  /** Abort requests newer than this audit row (the order's move to `running`) count. */
  sinceAuditId: number;
  onAbortRequest: (request: AbortRequest) => void;
  onLeaseLost: () => void;
  onError: (error: unknown) => void;
}

export interface LeaseKeeper {
  /** Stops the heartbeat and waits for one in flight. */
  stop(): Promise<void>;
}

export function startLeaseKeeper(db: Db, options: LeaseKeeperOptions): LeaseKeeper {
  const stopping = new AbortController();
  let abortSeen = false;
  const beat = async (): Promise<boolean> => {
    if (!(await renewEnvironmentLock(db, options.key, options.claim))) {
      options.onLeaseLost();
      return false;
    }
    if (!abortSeen) {
      const request = await pendingAbortRequest(db, options.claim.workOrderId, options.sinceAuditId);
      if (request !== undefined) {
        abortSeen = true;
        options.onAbortRequest(request);
      }
    }
    return true;
  };
  const loop = (async () => {
    for (;;) {
      try {
        await sleep(options.intervalMs, undefined, { signal: stopping.signal });
      } catch {
        return;
      }
      try {
        if (!(await beat())) return;
      } catch (error) {
        // A missed beat is not a lost lease: the lease outlasts several beats. Report it and keep beating.
        options.onError(error);
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
