import { describe, expect, it } from 'vitest';
import { handleIssueComment } from '../../src/github/handle-issue-comment.ts';
import { handleIssuesEvent } from '../../src/github/handle-issues-event.ts';
import { codeBlock, inlineCode } from '../../src/github/markdown.ts';
import type { CreateIssueCommentParams, HandlerLog, IssueCommentsApi, WebhookContext } from '../../src/github/types.ts';
import { examplePayload } from '../helpers/github-webhooks.ts';

/** A fake GitHub that keeps the comments it is asked to post, and a log that keeps its warnings. */
function fakeContext(payload: unknown): { context: WebhookContext<IssueCommentsApi>; comments: CreateIssueCommentParams[]; warnings: string[] } {
  const comments: CreateIssueCommentParams[] = [];
  const warnings: string[] = [];
  const log: HandlerLog = {
    info: () => undefined,
    warn: (_fields, message) => warnings.push(message),
  };
  const octokit: IssueCommentsApi = {
    rest: {
      issues: {
        createComment: async (params) => {
          comments.push(params);
          return { status: 201 };
        },
      },
    },
  };
  return { context: { payload, octokit, log }, comments, warnings };
}

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

function planComment(strategy: string): string {
  return [
    'Plan for tonight:',
    '',
    '```yaml',
    'app: checkout-api',
    'environment: production',
    'version: 2.4.1',
    'package:',
    '  url: https://artifacts.example.com/checkout-api-2.4.1.tar.gz',
    `  sha256: ${SHA}`,
    'hosts: [canary, web]',
    strategy,
    '```',
  ].join('\n');
}

describe('issues.opened / issues.labeled', () => {
  it('acknowledges an issue labelled work-order', async () => {
    const payload = examplePayload('issues', 'labeled', { label: { name: 'work-order' } });
    const { context, comments } = fakeContext(payload);
    await handleIssuesEvent(context);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ owner: 'Codertocat', repo: 'Hello-World', issue_number: 1 });
    expect(comments[0]?.body).toMatch(/^Work order received from @Codertocat\./);
  });

  it('acknowledges an issue opened with the label', async () => {
    const labelled = examplePayload('issues', 'opened', { issue: { labels: [{ name: 'work-order' }] } });
    const { context, comments } = fakeContext(labelled);
    await handleIssuesEvent(context);
    expect(comments).toHaveLength(1);
  });

  it('leaves other labels and unlabelled issues alone', async () => {
    for (const payload of [examplePayload('issues', 'labeled'), examplePayload('issues', 'opened')]) {
      const { context, comments, warnings } = fakeContext(payload);
      await handleIssuesEvent(context);
      expect(comments).toEqual([]);
      expect(warnings).toEqual([]);
    }
  });

  it('refuses a payload it cannot read, with a warning and no reply', async () => {
    const { context, comments, warnings } = fakeContext(examplePayload('issues', 'labeled', { repository: undefined }));
    await handleIssuesEvent(context);
    expect(comments).toEqual([]);
    expect(warnings).toEqual(['issues event not understood']);
  });
});

describe('issue_comment.created', () => {
  it('answers a valid plan with a summary', async () => {
    const payload = examplePayload('issue_comment', 'created', { comment: { body: planComment('strategy: { mode: batches, batch_size: 25%, canary: 1, pause: 30s }') } });
    const { context, comments } = fakeContext(payload);
    await handleIssueComment(context);
    expect(comments).toHaveLength(1);
    const reply = comments[0]?.body ?? '';
    expect(reply).toMatch(/^\*\*Plan checked:\*\* `checkout-api` `2\.4\.1` to `production`\./);
    expect(reply).toContain('batches of 25%, 1 canary host first, 30s between batches; stops at the first failed host');
    expect(reply).toContain('`canary`, `web`, in this order');
    expect(reply).toContain('check → fetch → pre_deploy → switch → post_deploy → health → release → monitor → done');
  });

  it('answers an invalid plan with the line and field of each problem, no stack trace', async () => {
    const payload = examplePayload('issue_comment', 'created', { comment: { body: planComment('strategy: { mode: batches, batch_size: lots }') } });
    const { context, comments } = fakeContext(payload);
    await handleIssueComment(context);
    const reply = comments[0]?.body ?? '';
    expect(reply).toContain('**The plan in this comment has 1 problem:**');
    expect(reply).toMatch(/line 11, column \d+, strategy\.batch_size: expected a count or a percentage like 25%/);
    expect(reply).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('says nothing to comments without a plan and to comments by bots', async () => {
    const plain = fakeContext(examplePayload('issue_comment', 'created'));
    await handleIssueComment(plain.context);
    expect(plain.comments).toEqual([]);
    const bot = fakeContext(examplePayload('issue_comment', 'created', { comment: { body: planComment(''), user: { type: 'Bot' } } }));
    await handleIssueComment(bot.context);
    expect(bot.comments).toEqual([]);
  });
});

describe('markdown quoting', () => {
  it('keeps backticks in quoted text from closing the code', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x')).toBe('`` `x ``');
    expect(codeBlock('```\nrm -rf /\n```')).toBe('````text\n```\nrm -rf /\n```\n````');
  });
});
