/** A plan and the hosts it resolves to, checked against what the operator's policy grants the repository. */
import type { ResolvedHost } from '../config/types.ts';
import type { Plan, SourceIssue } from '../plan/types.ts';
import { formatPath, stagesSetBy } from '../plan/index.ts';
import { artifactProblem } from './artifact-check.ts';
import { hostProblem } from './host-check.ts';
import { unlocated, type PlanFieldLocator } from './plan-locator.ts';
import { describeOrigin } from './repo-grant.ts';
import type { RepoGrant } from './types.ts';

/**
 * Every way the release of `plan` to `hosts` would go past `grant`, each located at the plan field that brings it
 * in: `package.url`, the plan's `hosts` (or its `environment` when the environment's hosts are used), each stage of
 * `commands` the plan sets when the grant allows no custom commands. A repository no rule matches gets one issue
 * saying so.
 *
 * @param locate where plan fields are in the comment; default unknown (line 0), for checks at run time.
 */
export function checkPlanAgainstPolicy(
  grant: RepoGrant,
  plan: Plan,
  hosts: readonly ResolvedHost[],
  locate: PlanFieldLocator = unlocated,
): SourceIssue[] {
  const at = (path: (string | number)[], message: string): SourceIssue => ({
    ...locate(path),
    path: formatPath(path),
    message,
  });
  if (grant.origin.kind === 'no-rule') {
    return [
      at(
        [],
        `no rule of ${describeOrigin(grant)} matches ${grant.repoFullName}: this repository may not deploy anything; ask the operator`,
      ),
    ];
  }
  const issues: SourceIssue[] = [];
  const hostsField = plan.hosts === undefined ? ['environment'] : ['hosts'];
  const seen = new Set<string>();
  for (const { entry } of hosts) {
    if (seen.has(entry.name)) continue;
    seen.add(entry.name);
    const problem = hostProblem(grant, entry);
    if (problem !== undefined) issues.push(at(hostsField, `${problem} (in .github/yardmaster.yml)`));
  }
  const artifact = artifactProblem(grant, plan.package.url);
  if (artifact !== undefined) issues.push(at(['package', 'url'], artifact));
  if (!grant.allowCustomCommands) {
    // Refused whether or not the config sets the stage: the operator's choice is that only the reviewed config (its
    // default branch) says what runs on the hosts, and a stage the config leaves empty is no exception.
    for (const stage of stagesSetBy(plan.commands))
      issues.push(
        at(
          ['commands', stage],
          `a plan may not set commands here: ${describeOrigin(grant)} has allow_custom_commands: false; only the commands: of .github/yardmaster.yml run (remove commands.${stage} from the plan)`,
        ),
      );
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}
