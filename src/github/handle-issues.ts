/** `issues` events: `opened`/`labeled` with `work-order` open an order; `closed` cancels it. */
import { z } from 'zod';
import { cancelWorkOrder, findWorkOrder, openWorkOrder, userActor } from '../workorders/service/index.ts';
import { parseWorkOrderForm } from './issue-form.ts';
import { inlineCode } from './markdown.ts';
import type { Session } from './session.ts';
import { issuesEventSchema, problemsOf } from './webhook-payloads.ts';
import { refusalReply } from './work-order-replies.ts';

/** The label that makes an issue a work order. */
const WORK_ORDER_LABEL = 'work-order';

const branchSchema = z.object({ commit: z.object({ sha: z.string() }) });

/** The default branch head, which an issue order's check runs and deployment go on; undefined when unknown. */
export async function defaultBranchHead(session: Session): Promise<string | undefined> {
  try {
    const { data } = await session.github.rest.repos.getBranch({
      owner: session.owner,
      repo: session.repo,
      branch: session.defaultBranch,
    });
    return branchSchema.parse(data).commit.sha;
  } catch (error) {
    session.log.warn({ err: error }, 'default branch head unknown');
    return undefined;
  }
}

export async function handleIssues(session: Session, payload: unknown): Promise<void> {
  const parsed = issuesEventSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'issues event not understood');
    return;
  }
  const { action, issue, label } = parsed.data;
  if (action === 'closed') {
    const order = await findWorkOrder(session.deps.service.db, {
      repoFullName: session.repoFullName,
      number: issue.number,
    });
    if (order?.kind !== 'issue') return;
    const cancelled = await cancelWorkOrder(session.deps.service, {
      order,
      actor: userActor(session.sender),
      reason: 'issue closed',
    });
    session.log.info({ order: order.id, ok: cancelled.ok }, 'issue closed');
    return;
  }
  const labels = (issue.labels ?? []).map((entry) => entry.name);
  const opens =
    (action === 'opened' && labels.includes(WORK_ORDER_LABEL)) ||
    (action === 'labeled' && label?.name === WORK_ORDER_LABEL);
  if (!opens) return;
  const context = await session.repoContext(issue.number);
  if (context === undefined) return;
  const { form, problems } = parseWorkOrderForm(issue.body ?? '');
  const headSha = await defaultBranchHead(session);
  const opened = await openWorkOrder(
    session.deps.service,
    {
      repoFullName: session.repoFullName,
      installationId: session.installationId,
      number: issue.number,
      kind: 'issue',
      title: issue.title,
      requester: session.sender,
      form,
      ...(headSha === undefined ? {} : { headSha }),
    },
    context,
  );
  if (!opened.ok) {
    // GitHub sends `opened` and `labeled` for an issue created with the label: answer the refusal once.
    if (action === 'labeled' && labelsOnlyFromCreation(payload)) return;
    await session.comment(issue.number, refusalReply(session.sender, 'Opening this work order', opened.message));
    return;
  }
  if (!opened.created) return;
  const lines = [
    `**Work order received** from @${session.sender}. ${opened.message}`,
    '',
    `Next: post the deployment plan as a comment, in a fenced ${inlineCode('yaml')} block whose first key is ${inlineCode('app')} ` +
      `(or a ${inlineCode('yardmaster')} block). It is checked as soon as it is posted.`,
  ];
  if (problems.length > 0)
    lines.push('', ...problems.map((problem) => `- Form field **${problem.field}**: ${problem.message}`));
  await session.comment(issue.number, lines.join('\n'));
}

/** True when the issue was created with its labels in the same moment (created_at = updated_at): a twin of `opened`. */
function labelsOnlyFromCreation(payload: unknown): boolean {
  const times = z.object({ issue: z.object({ created_at: z.string(), updated_at: z.string() }) }).safeParse(payload);
  return times.success && times.data.issue.created_at === times.data.issue.updated_at;
}
