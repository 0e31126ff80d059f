/** The slices of webhook payloads the work-order handlers read, parsed with zod at the boundary. */
import { z } from 'zod';

const userSchema = z.object({ login: z.string(), type: z.string() });
const labelSchema = z.object({ name: z.string() });

/** What every repository event carries: the repository, the installation, the sender. */
export const repoEventSchema = z.object({
  action: z.string().optional(),
  repository: z.object({
    name: z.string(),
    full_name: z.string(),
    default_branch: z.string(),
    owner: z.object({ login: z.string() }),
  }),
  installation: z.object({ id: z.number().int().positive() }),
  sender: userSchema,
});
export type RepoEvent = z.infer<typeof repoEventSchema>;

export const issuesEventSchema = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullable().optional(),
    labels: z.array(labelSchema).optional(),
    user: userSchema,
  }),
  label: labelSchema.optional(),
});

/** GitHub's own timestamps (ISO 8601): compared only with other GitHub timestamps, never with the server's clock. */
const githubTimeSchema = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/**
 * `comment.user` wrote the comment; `sender` sent this event. They differ when someone edits another person's
 * comment (anyone with write access can): the handlers attribute the event to `sender`.
 */
export const issueCommentEventSchema = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    pull_request: z.object({}).loose().optional(),
  }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    user: userSchema,
    created_at: githubTimeSchema,
    updated_at: githubTimeSchema,
  }),
  sender: userSchema,
});

export const reviewEventSchema = z.object({
  action: z.string(),
  review: z.object({
    id: z.number().int().positive(),
    state: z.string(),
    commit_id: z.string(),
    body: z.string().nullable().optional(),
    user: userSchema,
    /** When the reviewer submitted it: the plan they reviewed is the one current then. */
    submitted_at: githubTimeSchema.nullable().optional(),
  }),
  pull_request: z.object({ number: z.number().int().positive() }),
  sender: userSchema,
});

export const pullRequestEventSchema = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  /** `updated_at`: when GitHub saw the push, the time of the plan version it makes. */
  pull_request: z.object({ head: z.object({ sha: z.string() }), updated_at: githubTimeSchema.optional() }),
});
export type PullRequestEvent = z.infer<typeof pullRequestEventSchema>;

const pathListSchema = z.array(z.string()).default([]);

/** A `push`: the branch, the commits before and after, and the files each pushed commit added, changed or removed. */
export const pushEventSchema = z.object({
  ref: z.string(),
  before: z.string().regex(/^[0-9a-f]{40}$/),
  after: z.string().regex(/^[0-9a-f]{40}$/),
  deleted: z.boolean(),
  forced: z.boolean().optional(),
  commits: z.array(z.object({ added: pathListSchema, modified: pathListSchema, removed: pathListSchema })),
});
export type PushEvent = z.infer<typeof pushEventSchema>;

/** A pull request's head and where it comes from (a fork's pushes reach no App of this repository). */
export const pullRequestHeadSchema = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    head: z.object({
      sha: z.string().regex(/^[0-9a-f]{40}$/),
      repo: z.object({ full_name: z.string() }).nullable(),
    }),
  }),
});

export const checkRunActionSchema = z.object({
  action: z.literal('requested_action'),
  check_run: z.object({ id: z.number().int().positive(), external_id: z.string().nullable().optional() }),
  requested_action: z.object({ identifier: z.string() }),
});

/** Zod problems as one line for the log. */
export function problemsOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}
