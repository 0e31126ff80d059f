/** The events notifications are about, as the senders receive them. */

/** The key events people subscribe to. */
export const KEY_EVENT_KINDS = ['submitted', 'approved', 'rejected', 'scheduled', 'started', 'failed', 'rolled_back', 'succeeded', 'accepted'] as const;
export type KeyEventKind = (typeof KEY_EVENT_KINDS)[number];
export interface KeyEvent {
  /** Unique per event (the audit row id it comes from), used as the delivery id. */
  id: number;
  kind: KeyEventKind;
  workOrderId: number;
  repoFullName: string;
  number: number;            // issue or PR number
  title: string;
  app: string | null;
  environment: string | null;
  version: string | null;
  actor: string;             // GitHub login or 'yardmaster'
  reason: string | null;
  at: Date;
  /** Where people see the order (dashboard URL). */
  url: string;
}
