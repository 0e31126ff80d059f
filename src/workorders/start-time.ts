/** When an approved work order may start. */

/**
 * The time an approved order's start job waits for: the plan's `schedule`, else the time requested on the work
 * order (the issue form's "scheduled time"), when that lies after `now`; `undefined` means start at once.
 *
 * The plan wins because it is what the approvers approved (its schedule is part of the digest); the form's time is
 * the requester's wish, honoured only when the plan says nothing.
 */
export function startAfterFor(planSchedule: Date | undefined, requested: Date | null, now: Date): Date | undefined {
  const wanted = planSchedule ?? requested ?? undefined;
  if (wanted === undefined || Number.isNaN(wanted.getTime())) return undefined;
  return wanted.getTime() > now.getTime() ? wanted : undefined;
}
