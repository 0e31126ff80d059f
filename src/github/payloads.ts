/**
 * The slices of webhook payloads the handlers read, parsed with zod at the boundary. Probot's payload types say
 * what GitHub promises; these say what the handlers rely on, and a payload without it is refused, not guessed at.
 */
import { z } from 'zod';
import type { IssueRef } from './types.ts';

const userSchema = z.object({ login: z.string(), type: z.string() });
const labelSchema = z.object({ name: z.string() });
const repositorySchema = z.object({ name: z.string(), owner: z.object({ login: z.string() }) });

const issuesEventSchema = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), labels: z.array(labelSchema).optional() }),
  label: labelSchema.optional(),
  repository: repositorySchema,
  sender: userSchema,
});

const issueCommentEventSchema = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).loose().optional() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable(), user: userSchema }),
  repository: repositorySchema,
});

/** An `issues` event as the work-order handlers see it. */
export interface IssueEventFacts {
  action: string;
  issue: IssueRef;
  /** Labels of the issue after the event. */
  labels: string[];
  /** The label this event added (`labeled` only). */
  addedLabel: string | undefined;
  sender: string;
}

/** An `issue_comment` event as the plan handlers see it. */
export interface IssueCommentFacts {
  action: string;
  issue: IssueRef;
  isPullRequest: boolean;
  commentId: number;
  body: string;
  author: string;
  /** Comments by apps (this one included) are never read as commands or plans. */
  authorIsBot: boolean;
}

/** A parsed payload, or why it could not be read. */
export type PayloadResult<T> = { ok: true; value: T } | { ok: false; reason: 'malformed-payload'; problems: string };

function problemsOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}

function issueRef(repository: z.infer<typeof repositorySchema>, issueNumber: number): IssueRef {
  return { owner: repository.owner.login, repo: repository.name, issueNumber };
}

/** Reads an `issues` payload. */
export function parseIssuesEvent(payload: unknown): PayloadResult<IssueEventFacts> {
  const parsed = issuesEventSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: 'malformed-payload', problems: problemsOf(parsed.error) };
  const event = parsed.data;
  return {
    ok: true,
    value: {
      action: event.action,
      issue: issueRef(event.repository, event.issue.number),
      labels: (event.issue.labels ?? []).map((label) => label.name),
      addedLabel: event.label?.name,
      sender: event.sender.login,
    },
  };
}

/** Reads an `issue_comment` payload. */
export function parseIssueCommentEvent(payload: unknown): PayloadResult<IssueCommentFacts> {
  const parsed = issueCommentEventSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: 'malformed-payload', problems: problemsOf(parsed.error) };
  const event = parsed.data;
  return {
    ok: true,
    value: {
      action: event.action,
      issue: issueRef(event.repository, event.issue.number),
      isPullRequest: event.issue.pull_request !== undefined,
      commentId: event.comment.id,
      body: event.comment.body ?? '',
      author: event.comment.user.login,
      authorIsBot: event.comment.user.type === 'Bot',
    },
  };
}
