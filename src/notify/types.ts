/** The events notifications are about, as the senders receive them. */

import type { KeyEventKind } from '../config/types.ts';

/** The key events people subscribe to: the words of the repo config's `notify.events`. */
export { KEY_EVENT_KINDS, type KeyEventKind } from '../config/types.ts';

export interface KeyEvent {
  /** Unique per event (the audit row id it comes from), used as the delivery id. */
  id: number;
  kind: KeyEventKind;
  workOrderId: number;
  repoFullName: string;
  number: number; // issue or PR number
  title: string;
  app: string | null;
  environment: string | null;
  version: string | null;
  actor: string; // GitHub login or 'yardmaster'
  reason: string | null;
  at: Date;
  /** Where people see the order (dashboard URL). */
  url: string;
}

/** A named person called to their step (the order names them as plan author, deployer or acceptor). */
export interface PersonCall {
  login: string;
  role: 'plan_author' | 'deployer' | 'acceptor';
}
