/**
 * Tells the people of an issue or pull request that a delivery about it failed for good (retrying cannot fix it, or
 * it was retried for as long as allowed): a comment there, so a command that did nothing does not go unnoticed. A
 * delivery about no issue or pull request (nor an order's check run) is only logged by the caller.
 */
import { z } from 'zod';
import type { Db } from '../db/types.ts';
import { getWorkOrder } from '../workorders/service/index.ts';
import type { ClaimedDelivery } from './delivery-log.ts';
import { inlineCode } from './markdown.ts';
import type { OctokitSlice } from './octokit-slice.ts';

const payloadSchema = z.object({
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  issue: z.object({ number: z.number().int() }).optional(),
  pull_request: z.object({ number: z.number().int() }).optional(),
  number: z.number().int().optional(),
  check_run: z.object({ external_id: z.string().nullable().optional() }).optional(),
});

/** Where a failure is reported: an issue or pull request. */
export interface ReportTarget {
  owner: string;
  repo: string;
  number: number;
}

/** The issue or pull request the delivery is about (for a check run, its order's), if any. */
export async function reportTargetOf(db: Db, payload: unknown): Promise<ReportTarget | undefined> {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const { repository, issue, pull_request: pullRequest, number, check_run: checkRun } = parsed.data;
  const subject = issue?.number ?? pullRequest?.number ?? number;
  if (subject !== undefined) return { owner: repository.owner.login, repo: repository.name, number: subject };
  const orderId = /^yardmaster-order-(\d+)$/.exec(checkRun?.external_id ?? '')?.[1];
  if (orderId === undefined) return undefined;
  const order = await getWorkOrder(db, Number(orderId));
  const [owner, repo] = order?.repoFullName.split('/') ?? [];
  if (order === undefined || owner === undefined || repo === undefined) return undefined;
  return { owner, repo, number: order.number };
}

/** Why the delivery is not tried again. */
export type GiveUpReason = 'permanent' | 'retries exhausted';

/** The comment's text. */
export function failureReportText(
  delivery: Pick<ClaimedDelivery, 'id' | 'event' | 'payload'>,
  error: string,
  reason: GiveUpReason,
): string {
  const action = typeof delivery.payload.action === 'string' ? `.${delivery.payload.action}` : '';
  const why =
    reason === 'permanent'
      ? 'Trying again cannot fix this, so Yardmaster does not.'
      : 'It failed for a passing reason every time Yardmaster tried, for as long as it tries, and is given up.';
  return [
    `⚠️ Yardmaster could not handle GitHub's ${inlineCode(`${delivery.event}${action}`)} event ` +
      `(delivery ${inlineCode(delivery.id)}): ${inlineCode(error)}.`,
    '',
    `${why} Whatever it asked for did not happen: once the cause is fixed, repeat it ` +
      "(or redeliver the event from the App's advanced settings).",
  ].join('\n');
}

/**
 * Comments on the delivery's issue or pull request; resolves to where, or `undefined` when the delivery is about
 * none. Throws when GitHub refuses the comment.
 */
export async function reportFailedDelivery(
  db: Db,
  github: OctokitSlice,
  delivery: Pick<ClaimedDelivery, 'id' | 'event' | 'payload'>,
  error: string,
  reason: GiveUpReason,
): Promise<ReportTarget | undefined> {
  const target = await reportTargetOf(db, delivery.payload);
  if (target === undefined) return undefined;
  await github.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    body: failureReportText(delivery, error, reason),
  });
  return target;
}
