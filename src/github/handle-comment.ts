/**
 * `issue_comment` created/edited: a `/command` goes to the service (a created comment only: editing a comment does
 * not run it again); a plan block becomes a plan version (an edit makes a new one, with a new digest).
 */
import { z } from 'zod';
import { findPlanBlocks } from '../plan/markdown.ts';
import { parseCommand } from '../workorders/index.ts';
import { findWorkOrder, handleCommand, openWorkOrder, submitPlan } from '../workorders/service/index.ts';
import type { Command, NamedPeople } from '../workorders/types.ts';
import { isLaneCommand, laneBlockOf, laneCommand, takeLaneSpec } from './handle-lane-comment.ts';
import { inlineCode } from './markdown.ts';
import { orderUrl } from '../lib/order-url.ts';
import { planErrorsReply } from './plan-reply.ts';
import { postPlanReply } from './plan-reply-preflight.ts';
import { announceQueuedDeployment, sessionAnnouncer } from './announce-queued-deployment.ts';
import type { Session } from './session.ts';
import { issueCommentEventSchema, problemsOf } from './webhook-payloads.ts';
import { acceptedReply, planSummaryMarkdown, refusalReply, statusReply } from './work-order-replies.ts';

const pullSchema = z.object({ head: z.object({ sha: z.string() }) });

interface CommentFacts {
  number: number;
  title: string;
  isPullRequest: boolean;
  commentId: number;
  body: string;
  /** Who sent the event: the comment's author when it was created, whoever edited it when it was edited. */
  author: string;
  /** GitHub's time of this text: `created_at` for a new comment, `updated_at` for an edit. */
  at: Date;
}

export async function handleIssueComment(session: Session, payload: unknown): Promise<void> {
  const parsed = issueCommentEventSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'issue_comment event not understood');
    return;
  }
  const { action, issue, comment } = parsed.data;
  if (comment.user.type === 'Bot') return;
  if (action !== 'created' && action !== 'edited') return;
  const facts: CommentFacts = {
    number: issue.number,
    title: issue.title,
    isPullRequest: issue.pull_request !== undefined,
    commentId: comment.id,
    body: comment.body ?? '',
    // Anyone with write access can edit anyone's comment: the text is the editor's, and so are the role check, the
    // four-eyes rule and the plan's authorship.
    author: parsed.data.sender.login,
    at: action === 'created' ? comment.created_at : comment.updated_at,
  };
  const laneSpec = laneBlockOf(facts.body);
  if (laneSpec !== undefined) {
    await takeLaneSpec(session, facts, laneSpec);
    return;
  }
  if (isLaneCommand(facts.body)) {
    if (action === 'created') await laneCommand(session, facts);
    return;
  }
  const command = parseCommand(facts.body);
  if (command.ok || command.reason !== 'not-a-command') {
    if (action !== 'created') return;
    if (!command.ok) {
      await session.react(facts.commentId, false);
      await session.comment(facts.number, `@${facts.author} ${command.message}`);
      return;
    }
    await runCommand(session, facts, command.command);
    return;
  }
  // A comment with plan blocks the service refuses (two of them, one in a list) is answered too, saying why.
  if (findPlanBlocks(facts.body).kind !== 'none') await takePlan(session, facts);
}

async function runCommand(session: Session, facts: CommentFacts, command: Command): Promise<void> {
  if (command.name === 'open-deployment') {
    await openDeployment(session, facts, command.environment, command.people ?? {});
    return;
  }
  const order = await findWorkOrder(session.deps.service.db, {
    repoFullName: session.repoFullName,
    number: facts.number,
  });
  if (order === undefined) {
    await session.react(facts.commentId, false);
    const hint = facts.isPullRequest
      ? `open one with ${inlineCode('/deploy <environment>')}`
      : `label the issue ${inlineCode('work-order')}`;
    await session.comment(
      facts.number,
      refusalReply(facts.author, inlineCode(`/${command.name}`), `there is no work order here; ${hint}`),
    );
    return;
  }
  const context = await session.repoContext(facts.number);
  if (context === undefined) return;
  const result = await handleCommand(
    session.deps.service,
    {
      order,
      actor: facts.author,
      command,
      source: 'github',
      sourceRef: `comment:${facts.commentId}`,
      givenAt: facts.at,
    },
    context,
  );
  await session.react(facts.commentId, result.ok);
  if (!result.ok) {
    await session.comment(facts.number, refusalReply(facts.author, inlineCode(`/${command.name}`), result.message));
    return;
  }
  if (result.outcome === 'duplicate') return;
  await session.comment(
    facts.number,
    result.status === undefined ? acceptedReply(facts.author, result.message) : statusReply(result.status),
  );
  session.deps.onOrderChanged?.(order.id);
  await announceQueuedDeployment(sessionAnnouncer(session), order.id, result.moved, context.config);
}

async function openDeployment(
  session: Session,
  facts: CommentFacts,
  environment: string,
  people: NamedPeople,
): Promise<void> {
  if (!facts.isPullRequest) {
    await session.react(facts.commentId, false);
    await session.comment(
      facts.number,
      refusalReply(
        facts.author,
        inlineCode(`/deploy ${environment}`),
        'it opens a deployment of a pull request; use it on one',
      ),
    );
    return;
  }
  const context = await session.repoContext(facts.number);
  if (context === undefined) return;
  const { data } = await session.github.rest.pulls.get({
    owner: session.owner,
    repo: session.repo,
    pull_number: facts.number,
  });
  const headSha = pullSchema.parse(data).head.sha;
  const opened = await openWorkOrder(
    session.deps.service,
    {
      repoFullName: session.repoFullName,
      installationId: session.installationId,
      number: facts.number,
      kind: 'pull_request',
      title: facts.title,
      requester: facts.author,
      headSha,
      environment,
      form: people,
    },
    context,
  );
  await session.react(facts.commentId, opened.ok);
  if (!opened.ok) {
    await session.comment(
      facts.number,
      refusalReply(facts.author, inlineCode(`/deploy ${environment}`), opened.message),
    );
    return;
  }
  const status = opened.created
    ? `**Deployment work order ${opened.order.id} opened** for ${inlineCode(environment)} at ${inlineCode(headSha.slice(0, 7))}. ${opened.message}\n\nNext: post the plan as a comment.`
    : `A deployment to ${inlineCode(environment)} is already underway here (work order ${opened.order.id}, ${opened.order.state}).`;
  await session.comment(facts.number, status);
}

async function takePlan(session: Session, facts: CommentFacts): Promise<void> {
  const order = await findWorkOrder(session.deps.service.db, {
    repoFullName: session.repoFullName,
    number: facts.number,
  });
  if (order === undefined) {
    const hint = facts.isPullRequest
      ? `open one with ${inlineCode('/deploy <environment>')}`
      : `label the issue ${inlineCode('work-order')}`;
    await session.comment(
      facts.number,
      `@${facts.author} this plan was not taken: there is no work order here; ${hint}, then post the plan again.`,
    );
    return;
  }
  const context = await session.repoContext(facts.number);
  if (context === undefined) return;
  const result = await submitPlan(
    session.deps.service,
    {
      order,
      commentId: facts.commentId,
      author: facts.author,
      markdown: facts.body,
      at: facts.at,
      ...(order.headSha === null ? {} : { commitSha: order.headSha }),
    },
    context,
  );
  if (result.ok) {
    if (result.outcome === 'unchanged') return;
    await postPlanReply(
      session,
      facts.number,
      planSummaryMarkdown(result.summary, result.message, orderUrl(session.deps.publicUrl, order.id)),
      result.preflight ? { workOrderId: order.id, digest: result.summary.digest } : undefined,
    );
    session.deps.onOrderChanged?.(order.id);
    return;
  }
  if (result.reason === 'no-plan') return;
  if (result.reason === 'invalid-plan' || result.reason === 'invalid-targets' || result.reason === 'policy-refused') {
    await session.comment(facts.number, `@${facts.author} ${result.message}\n\n${planErrorsReply(result.issues)}`);
    return;
  }
  await session.comment(facts.number, refusalReply(facts.author, 'This plan', result.message));
}
