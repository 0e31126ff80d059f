/** What a comment command returns: a sentence for the reply, and what happened, for labels and reactions. */
import type { CommandName } from '../types.ts';
import type { StatusSummary } from './status-summary.ts';
import type { Moved } from './types.ts';

/** What a command did. */
export type CommandOutcome =
  | 'approval-recorded'
  | 'duplicate'
  | 'rejected'
  | 'start-queued'
  | 'aborted'
  | 'abort-requested'
  | 'rollback-queued'
  | 'retry-queued'
  | 'accepted'
  | 'locked'
  | 'unlocked'
  | 'preflight-queued'
  | 'status';

/** Why a command was refused; the message says it to the person. */
export type CommandRefusalReason =
  | 'not-found'
  | 'not-allowed'
  /** The order names someone else for this step, and no `--override-named` reason was given. */
  | 'not-named'
  | 'own-plan'
  | 'no-plan'
  | 'unknown-environment'
  | 'stale-digest'
  | 'wrong-state'
  | 'frozen'
  | 'bad-freeze-config'
  | 'already-locked'
  | 'not-locked'
  | 'nothing-to-retry'
  | 'nothing-to-roll-back'
  | 'quorum-not-met'
  | 'abort-already-requested'
  | 'preflight-not-passed'
  | 'not-an-order-command';

export type CommandResult =
  | {
      ok: true;
      command: CommandName;
      outcome: CommandOutcome;
      message: string;
      moved: Moved[];
      /** A job the command queued. */
      jobId?: string;
      /** `/status`. */
      status?: StatusSummary;
    }
  | { ok: false; command: CommandName; reason: CommandRefusalReason; message: string };

export function refused(command: CommandName, reason: CommandRefusalReason, message: string): CommandResult {
  return { ok: false, command, reason, message };
}
