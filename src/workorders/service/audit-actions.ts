/** The `action` words of the audit rows the service and the release worker write, and how actors are named there. */
import { normalizeLogin } from '../roles.ts';
import type { Actor } from '../types.ts';

export const AUDIT_ACTIONS = {
  opened: 'work_order.opened',
  transition: 'work_order.transition',
  superseded: 'work_order.superseded',
  planSubmitted: 'plan.submitted',
  approvalRecorded: 'approval.recorded',
  startRequested: 'release.start_requested',
  freezeOverride: 'freeze.override',
  namedOverride: 'named.override',
  abortRequested: 'release.abort_requested',
  lockManual: 'lock.manual',
  unlockManual: 'lock.manual_released',
  releaseRecovered: 'release.recovered',
} as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

/** How the bot itself appears in the audit log. */
export const SYSTEM_ACTOR = 'yardmaster';

/** The audit log's actor text: a person's login as written (without `@`), else `yardmaster`. */
export function auditActor(actor: Actor): string {
  return actor.kind === 'user' ? actor.login.trim().replace(/^@/, '') : SYSTEM_ACTOR;
}

/** A person, from a login as an adapter passes it. */
export function userActor(login: string): Actor {
  return { kind: 'user', login: login.trim().replace(/^@/, '') };
}

/** Whether two logins name the same person. */
export function sameLogin(a: string, b: string): boolean {
  return normalizeLogin(a) === normalizeLogin(b);
}
