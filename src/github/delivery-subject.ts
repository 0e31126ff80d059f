/**
 * What a delivery is about, as a key: deliveries with the same key are handled in the order GitHub sent them (a plan
 * comment before the `/approve` that follows it). The repository plus the issue or pull request number, or for a
 * check run the order it reports on.
 */
import { z } from 'zod';

const subjectSchema = z.object({
  repository: z.object({ full_name: z.string() }),
  issue: z.object({ number: z.number().int() }).optional(),
  pull_request: z.object({ number: z.number().int() }).optional(),
  number: z.number().int().optional(),
  check_run: z.object({ external_id: z.string().nullable().optional() }).optional(),
});

/** The ordering key of `payload` (`owner/repo#12`, `owner/repo check yardmaster-order-3`, or just the repository). */
export function subjectKeyOf(payload: unknown): string {
  const parsed = subjectSchema.safeParse(payload);
  if (!parsed.success) return '';
  const { repository, issue, pull_request: pullRequest, number, check_run: checkRun } = parsed.data;
  const subject = issue?.number ?? pullRequest?.number ?? number;
  if (subject !== undefined) return `${repository.full_name}#${subject}`;
  if (checkRun?.external_id != null) return `${repository.full_name} check ${checkRun.external_id}`;
  return repository.full_name;
}
