/**
 * Lanes on pull requests: a comment with a ```yardmaster-lane block opens or updates the pull request's lane (its
 * resolution table and how to send requests into it are the answer); `/lane down` ends it, as closing the pull
 * request does. Developers, project managers and deployers of the repo config may do either. A repository's lanes
 * live in its namespace (`<owner>/<repo>/<name>`), so a comment can only ever reach its own repository's lanes, and
 * keep within the repository's lane limits (TTL, instance quota).
 */
import { formatIssues } from '../plan/index.ts';
import { topLevelFences } from '../plan/markdown.ts';
import { hasRole } from '../workorders/index.ts';
import type { RoleName } from '../workorders/types.ts';
import {
  endLane,
  resolveTask,
  type TaskResolution,
  pullLaneName,
  repoLaneId,
  defaultLaneLimitsFor,
  formatTtl,
  lanesOfPull,
  parseLaneSpec,
  resolutionTally,
} from '../lanes/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';
import type { Session } from './session.ts';

const MAY: readonly RoleName[] = ['developer', 'projectManager', 'deployer'];

/**
 * The lane spec of a comment, if it has one: the first ```yardmaster-lane block GitHub shows at the top level (one in
 * an HTML comment, an HTML block or a quote is not a spec, as for plans).
 */
export function laneBlockOf(body: string): string | undefined {
  return topLevelFences(body).find((fence) => fence.language.toLowerCase() === 'yardmaster-lane')?.text;
}

/** Whether a comment is `/lane …`. */
export function isLaneCommand(body: string): boolean {
  return /^\s*\/lane(\s|$)/.test(body);
}

interface LaneComment {
  number: number;
  isPullRequest: boolean;
  author: string;
  body: string;
  commentId: number;
}

async function allowed(session: Session, comment: LaneComment, what: string): Promise<boolean> {
  if (!comment.isPullRequest) {
    await session.comment(comment.number, `@${comment.author} ${what}: lanes belong to pull requests.`);
    return false;
  }
  if (session.deps.lanes === undefined) {
    await session.comment(
      comment.number,
      `@${comment.author} ${what}: lanes are not set up on this Yardmaster server.`,
    );
    return false;
  }
  const context = await session.repoContext(comment.number);
  if (context === undefined) return false;
  for (const role of MAY)
    if (await hasRole(context.config.roles, role, comment.author, context.org, context.membership)) return true;
  await session.react(comment.commentId, false);
  await session.comment(
    comment.number,
    `@${comment.author} ${what} was refused: lanes are for developers, project managers and deployers of this repository.`,
  );
  return false;
}

function resolutionReply(resolution: TaskResolution, routerUrl: string, ttl: string): string {
  const rows = resolution.services.map(
    (entry) =>
      `| ${entry.service} | ${entry.asked} | ${entry.version ?? '–'} | ${entry.how} | ${entry.endpoint ?? '–'} |`,
  );
  const table = ['| service | asked | version | how | endpoint |', '|---|---|---|---|---|', ...rows].join('\n');
  const name = inlineCode(resolution.lane);
  const head = resolution.ok
    ? `**Lane ${name} ready** (${resolution.mode}): ${resolutionTally(resolution)}; a full copy per task would deploy ${resolution.fullCopy}.`
    : `**Lane ${name} is not ready**: ${resolution.message}`;
  const how = `Send requests into the lane through the router, naming it in a header (or W3C baggage \`yardmaster-lane=${resolution.lane}\`):\n\n${codeBlock(`curl -H 'x-yardmaster-lane: ${resolution.lane}' ${routerUrl}/<service>/…`, 'sh')}\n\nThe lane ends when this pull request closes, with ${inlineCode('/lane down')}, or after its TTL (${ttl}).`;
  return `${head}\n\n${table}\n\n${how}`;
}

/** A comment with a lane spec: the pull request's lane, opened or updated. */
export async function takeLaneSpec(session: Session, comment: LaneComment, text: string): Promise<void> {
  if (!(await allowed(session, comment, 'This lane spec'))) return;
  const lanes = session.deps.lanes;
  if (lanes === undefined) return;
  const limits = (lanes.limitsFor ?? defaultLaneLimitsFor)(session.repoFullName);
  if (limits.maxTtlMs < 1000) {
    await session.react(comment.commentId, false);
    await session.comment(
      comment.number,
      `@${comment.author} this lane spec was refused: the operator's policy grants ${session.repoFullName} no lanes.`,
    );
    return;
  }
  const parsed = parseLaneSpec(text, {
    maxTtlMs: limits.maxTtlMs,
    whose: `${session.repoFullName} may ask for (max_lane_ttl)`,
  });
  if (!parsed.ok) {
    await session.comment(
      comment.number,
      `@${comment.author} this lane spec has problems:\n\n${codeBlock(formatIssues(parsed.issues), 'text')}`,
    );
    return;
  }
  // The name the spec gives (else `pr-<n>`), always inside this repository's namespace.
  const name = /^\s*lane\s*:/m.test(text) ? parsed.value.lane : pullLaneName(comment.number);
  const spec = { ...parsed.value, lane: repoLaneId(session.repoFullName, name) };
  const resolution = await resolveTask({ ...lanes.deps, actor: comment.author }, spec, {
    repoFullName: session.repoFullName,
    number: comment.number,
    limits,
  });
  if (!resolution.ok && resolution.reason === 'refused') {
    await session.react(comment.commentId, false);
    await session.comment(comment.number, `@${comment.author} this lane spec was refused: ${resolution.message}.`);
    return;
  }
  await session.react(comment.commentId, true);
  await session.comment(comment.number, resolutionReply(resolution, lanes.routerUrl, formatTtl(spec.ttlMs)));
}

/** Ends the pull request's lanes; what was reclaimed, for the answer. */
export async function endPullLanes(
  session: Session,
  number: number,
  actor: string,
  reason: string,
): Promise<{ lane: string; reclaimed: string[] }[]> {
  const lanes = session.deps.lanes;
  if (lanes === undefined) return [];
  const ended: { lane: string; reclaimed: string[] }[] = [];
  for (const name of await lanesOfPull(lanes.deps.db, session.repoFullName, number)) {
    const result = await endLane({ ...lanes.deps, actor }, name, reason);
    if (result.ended) ended.push({ lane: name, reclaimed: result.reclaimed });
  }
  return ended;
}

/** `/lane down`. */
export async function laneCommand(session: Session, comment: LaneComment): Promise<void> {
  const words = comment.body.trim().split(/\s+/);
  if (words[1] !== 'down' || words.length !== 2) {
    await session.react(comment.commentId, false);
    await session.comment(
      comment.number,
      `@${comment.author} ${inlineCode('/lane down')} is the lane command here; a lane is opened with a ${inlineCode('yardmaster-lane')} block.`,
    );
    return;
  }
  if (!(await allowed(session, comment, inlineCode('/lane down')))) return;
  const ended = await endPullLanes(session, comment.number, comment.author, '/lane down');
  await session.react(comment.commentId, ended.length > 0);
  await session.comment(
    comment.number,
    ended.length === 0
      ? `@${comment.author} there is no lane on this pull request.`
      : ended
          .map(
            (entry) => `Lane ${inlineCode(entry.lane)} ended; reclaimed: ${entry.reclaimed.join(', ') || 'nothing'}.`,
          )
          .join('\n'),
  );
}
