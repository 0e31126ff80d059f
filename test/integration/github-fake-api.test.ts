import { ProbotOctokit } from 'probot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import {
  attachOpenApiValidation,
  createValidationLog,
  OpenApiViolationError,
  type OpenApiValidationLog,
} from '../helpers/github-openapi-hook.ts';

const repo = { owner: 'octo', repo: 'hello' };
let fake: FakeGitHubApi;
let octokit: InstanceType<typeof ProbotOctokit>;
let log: OpenApiValidationLog;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  octokit = new ProbotOctokit({
    baseUrl: fake.baseUrl,
    auth: { token: 'ghs_test' },
    throttle: { enabled: false },
    retry: { enabled: false },
  });
  log = attachOpenApiValidation(octokit, createValidationLog());
});

describe('attachOpenApiValidation on a real Octokit', () => {
  it('lets a valid comment through to the API', async () => {
    const before = fake.requests.length;
    const response = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: 7,
      body: 'Work order received.',
    });
    expect(response.status).toBe(201);
    expect(response.data.body).toBe('Work order received.');
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)).toMatchObject({
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 201,
      violations: [],
    });
    expect(log).toEqual({ checked: 1, violations: [] });
  });

  it('rejects a completed check run without a conclusion before it is sent', async () => {
    const before = fake.requests.length;
    const sending = octokit.rest.checks.create({
      ...repo,
      name: 'health',
      head_sha: 'a'.repeat(40),
      status: 'completed',
    });
    await expect(sending).rejects.toThrow(OpenApiViolationError);
    await expect(sending).rejects.toThrow(/body\.conclusion: is required when status is "completed"/);
    expect(fake.requests.length).toBe(before);
    expect(log.violations).toEqual([
      {
        method: 'POST',
        url: '/repos/{owner}/{repo}/check-runs',
        violations: [expect.objectContaining({ rule: 'check-run-conclusion' })],
      },
    ]);
  });

  it('rejects a route GitHub does not have', async () => {
    const before = fake.requests.length;
    await expect(octokit.request('POST /repos/{owner}/{repo}/remarks', { ...repo, body: 'x' })).rejects.toThrow(
      /unknown-route/,
    );
    expect(fake.requests.length).toBe(before);
  });

  it('rejects a body missing a required field', async () => {
    // A route typed as plain string escapes Octokit's parameter types, as a computed route would.
    // eslint-disable-next-line @typescript-eslint/no-inferrable-types -- the annotation widens the literal on purpose
    const route: string = 'POST /repos/{owner}/{repo}/deployments';
    await expect(octokit.request(route, { ...repo, environment: 'production' })).rejects.toThrow(
      /body\.ref: is required/,
    );
  });
});

describe('the fake GitHub API', () => {
  it('answers switched-on routes with the documented example under the request fields', async () => {
    const created = await octokit.rest.checks.create({
      ...repo,
      name: 'check',
      head_sha: 'b'.repeat(40),
      status: 'in_progress',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ name: 'check', head_sha: 'b'.repeat(40), status: 'in_progress' });
    expect(created.data.id).toBeGreaterThanOrEqual(1000);
  });

  it('404s routes it does not answer, and records unknown ones as violations', async () => {
    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 404 });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      route: '/repos/{owner}/{repo}',
      status: 404,
      violations: [],
    });
    const response = await fetch(`${fake.baseUrl}/repos/octo/hello/remarks`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(fake.requests.at(-1)?.violations.map((violation) => violation.rule)).toEqual(['unknown-route']);
  });

  it('validates what arrives on the wire too (a client without the hook)', async () => {
    await fetch(`${fake.baseUrl}/repos/octo/hello/issues/3/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(fake.requests.at(-1)?.violations.map((violation) => violation.path)).toEqual(['body.body', 'body.text']);
    expect(fake.violations().length).toBeGreaterThanOrEqual(2);
  });

  it('lets a test answer a route its own way', async () => {
    fake.handle('GET /repos/{owner}/{repo}/contents/{path}', (request) => ({
      status: 200,
      body: {
        type: 'file',
        path: request.pathParams.path,
        content: Buffer.from('apps: {}\n').toString('base64'),
        encoding: 'base64',
      },
    }));
    const response = await octokit.rest.repos.getContent({ ...repo, path: '.github/yardmaster.yml' });
    expect(response.data).toMatchObject({ path: '.github/yardmaster.yml' });
    expect(() => {
      fake.handle('GET /repos/{owner}/{repo}/nothing', () => ({ status: 200 }));
    }).toThrow(/not an operation/);
  });

  it('waits for requests, bounded', async () => {
    const waiting = fake.waitForRequests('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      timeoutMs: 2000,
    });
    await octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ['deploying'] });
    await expect(waiting).resolves.toHaveLength(1);
    await expect(fake.waitForRequests('POST /repos/{owner}/{repo}/deployments', { timeoutMs: 50 })).rejects.toThrow(
      /waited 50 ms/,
    );
  });
});
