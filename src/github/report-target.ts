/**
 * The reporter's reads: the order and a client for its installation (read again after TARGET_TTL_MS, or when asked
 * fresh), the order's commit (its head, else the default branch's), and whether its environment is production.
 * Reads are not writes: they do not wait in the write queue.
 */
import { z } from 'zod';
import { splitRepo, type OctokitSlice } from './octokit-slice.ts';
import type { ReportContext } from './report-context.ts';
import type { OrderReport, ReportTarget } from './report-state.ts';
import { defaultBranchOf, loadRepoConfig } from './repo-config.ts';

const TARGET_TTL_MS = 30_000;

export type GitHubFor = (installationId: number) => Promise<OctokitSlice>;

export async function targetOf(
  ctx: ReportContext,
  githubFor: GitHubFor,
  report: OrderReport,
  fresh = false,
): Promise<ReportTarget | undefined> {
  const cached = report.target;
  if (!fresh && cached !== undefined && Date.now() - cached.at < TARGET_TTL_MS) return cached.value;
  const order = await ctx.store.order(report.workOrderId);
  if (order === undefined) return undefined;
  const github = await githubFor(order.installationId);
  const value = { order, github, ...splitRepo(order.repoFullName) };
  report.target = { value, at: Date.now() };
  return value;
}

export async function commitOf(ctx: ReportContext, t: ReportTarget): Promise<string | undefined> {
  if (t.order.headSha !== null) return t.order.headSha;
  return ctx.call('default branch head', async () => {
    const branch = await defaultBranchOf(t.github, t.order.repoFullName);
    const { data } = await t.github.rest.repos.getBranch({ owner: t.owner, repo: t.repo, branch });
    return z.object({ commit: z.object({ sha: z.string() }) }).parse(data).commit.sha;
  });
}

/** From the repo config (`production: true`), else whether the environment is called production. */
export async function productionOf(
  ctx: ReportContext,
  t: ReportTarget,
  app: string,
  environment: string,
): Promise<boolean> {
  const config = await ctx.call('config', async () =>
    loadRepoConfig(t.github, t.order.repoFullName, await defaultBranchOf(t.github, t.order.repoFullName)),
  );
  const configured = config?.ok === true ? config.config.apps[app]?.environments[environment]?.production : undefined;
  return configured ?? environment === 'production';
}
