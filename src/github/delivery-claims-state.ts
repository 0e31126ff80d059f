/** What the webhook inbox keeps about its claims of subjects across servers (delivery-inbox-claims.ts uses it). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PeriodicJob } from '../db/index.ts';

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_STALL_SWEEP_MS = 5_000;

/** A holder id unique to this process: host name, pid and a random part (a restarted pid is someone else). */
export function newHolderId(): string {
  return `${hostname().slice(0, 64)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** What the inbox keeps about its claims. */
export interface ClaimsState {
  readonly holder: string;
  readonly leaseMs: number;
  readonly sweepMs: number;
  /** Subjects this server holds (handling them, or waiting to try one of their deliveries again). */
  readonly held: Set<string>;
  /** Subjects the stall sweep queued whose handling has not started yet. */
  readonly swept: Set<string>;
  timers: NodeJS.Timeout[];
  /** The stall sweep, a periodic job shared by the servers. */
  sweep: PeriodicJob | undefined;
}

export function newClaimsState(options: { holder?: string; leaseMs?: number; stallSweepMs?: number }): ClaimsState {
  return {
    holder: options.holder ?? newHolderId(),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    sweepMs: options.stallSweepMs ?? DEFAULT_STALL_SWEEP_MS,
    held: new Set(),
    swept: new Set(),
    timers: [],
    sweep: undefined,
  };
}
