/**
 * GitHub's order of a subject's deliveries: when the event happened by GitHub's clock, where the payload says (a
 * comment's last change, an issue's or pull request's, a review's submission, a push), else undefined (then the
 * arrival counts). A subject's deliveries are handled by this time, then by arrival (the row id): see
 * {@link oldestUnhandledOf} in delivery-log.ts and docs/architecture.md for what that guarantees.
 */
import { z } from 'zod';

const time = z.iso.datetime({ offset: true });

const timedPayloadSchema = z.object({
  comment: z.object({ created_at: time.optional(), updated_at: time.optional() }).optional(),
  review: z.object({ submitted_at: time.nullable().optional() }).optional(),
  issue: z.object({ updated_at: time.optional() }).optional(),
  pull_request: z.object({ updated_at: time.optional() }).optional(),
  /** A push's repository has `pushed_at` in seconds since the epoch. */
  repository: z.object({ pushed_at: z.union([z.number().int().positive(), time]).nullable().optional() }).optional(),
});

function toDate(value: string | number | null | undefined): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** When the event of a delivery (`event`, `action`) happened by GitHub's clock, if its payload says. */
export function eventTimeOf(event: string, action: string | undefined, payload: unknown): Date | undefined {
  const parsed = timedPayloadSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const { comment, review, issue, pull_request: pullRequest, repository } = parsed.data;
  switch (event) {
    case 'issue_comment':
      return toDate(comment?.updated_at ?? comment?.created_at);
    case 'issues':
      return toDate(issue?.updated_at);
    case 'pull_request':
      return toDate(pullRequest?.updated_at);
    case 'pull_request_review':
      // A dismissal carries the review's first submission time, not its own: the arrival orders it.
      return action === 'submitted' ? toDate(review?.submitted_at) : undefined;
    case 'push':
      return toDate(repository?.pushed_at);
    default:
      return undefined;
  }
}
