/** The webhook inbox's interface and options (delivery-inbox.ts makes one). */
import type { AppDeps } from './app-deps.ts';
import type { DeliveryRetryPolicy } from './delivery-retry-policy.ts';
import type { OctokitSlice } from './octokit-slice.ts';
import type { HandlerLog } from './types.ts';

/** Where the inbox logs. */
export interface InboxLog extends HandlerLog {
  error(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface DeliveryInboxOptions {
  deps: AppDeps;
  /** A GitHub client acting as the installation (Probot's `app.auth(installationId)`). */
  githubFor(installationId: number): Promise<OctokitSlice>;
  log: InboxLog;
  /** Deliveries handled at the same time, across subjects (default 8). */
  concurrency?: number;
  /** Told how long each answer took (parse and store) and what became of the delivery (metrics). */
  onAnswered?: (event: string, outcome: Acceptance, seconds: number) => void;
  /** When failed handling is tried again (default: 1 s doubling to 5 min, for at most 24 h). */
  retry?: DeliveryRetryPolicy;
  /** Told whether each store of an arriving delivery worked (the outage watch: GitHub recorded the failed ones). */
  onStored?: (ok: boolean) => void;
  /**
   * How long this server's claim on a subject lasts unless renewed (default 30 s; renewed every third of it while
   * held): after a server dies, its subjects are taken over this long after its last renewal.
   */
  leaseMs?: number;
  /** How often the inbox looks for subjects with deliveries that no server holds (default 5 s). */
  stallSweepMs?: number;
  /** This server's name on its claims (default: host name, pid and a random part). */
  holder?: string;
}

/** A delivery as it arrives (Probot's context has these). */
export interface ArrivingDelivery {
  id: string;
  name: string;
  payload: unknown;
}

/** What became of an arriving delivery. */
export type Acceptance = 'queued' | 'seen before' | 'not for us';

export interface DeliveryInbox {
  /**
   * Stores the delivery and queues its handling; resolves once it is stored, which is all the webhook answer waits
   * for.
   */
  accept(delivery: ArrivingDelivery): Promise<Acceptance>;
  /** Queues the deliveries stored but not handled (a process stopped before it was done); how many. */
  resume(): Promise<number>;
  /** Resolves once every delivery queued so far is handled (or given up), waiting retries included. */
  idle(): Promise<void>;
  /**
   * Takes no more deliveries into handling and waits (at most `waitMs`, default 10 s) for those running; the rest
   * (retries waiting included) stay stored, and the next start handles them (those cut off while running, again
   * from the start).
   */
  close(waitMs?: number): Promise<void>;
}
