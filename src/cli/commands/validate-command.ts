/** `yardmaster validate <plan> [--config <file>]`: checks a plan (and its hosts against a config) without deploying. */
import { resolve } from 'node:path';
import { describeStageOrigin, effectiveCommands, resolvePlanTargets } from '../../config/index.ts';
import { COMMAND_STAGES } from '../../plan/types.ts';
import { formatIssues, planBatches, planDigest } from '../../plan/index.ts';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { VALIDATE_USAGE } from '../command-usage.ts';
import { loadPlanFile } from '../load-plan-file.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { loadConfig } from '../prepare-release.ts';

export async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('validate', args, { config: { type: 'string', short: 'c' } });
  const planPath = parsed.ok ? parsed.positionals[0] : undefined;
  if (!parsed.ok || planPath === undefined || parsed.positionals.length > 1) {
    io.stderr.write(`${parsed.ok ? 'validate needs one plan file' : parsed.message}\n\n${VALIDATE_USAGE}\n`);
    return EXIT_INVALID;
  }
  const loaded = await loadPlanFile(resolve(io.cwd, planPath));
  if (!loaded.ok) {
    io.stderr.write(`${loaded.message}\n`);
    return EXIT_INVALID;
  }
  const { plan } = loaded;
  const lines = [
    `${planPath}: valid plan for ${plan.app} ${plan.version} to ${plan.environment} (${plan.strategy.mode}), digest ${planDigest(plan).slice(0, 12)}`,
  ];
  if (parsed.values.config !== undefined) {
    const config = await loadConfig(parsed.values.config, io);
    if (!config.ok) {
      io.stderr.write(`${config.message}\n`);
      return EXIT_INVALID;
    }
    const targets = resolvePlanTargets(config.config, plan);
    if (!targets.ok) {
      io.stderr.write(
        `${formatIssues(targets.issues)
          .split('\n')
          .map((line) => `${planPath}: ${line}`)
          .join('\n')}\n`,
      );
      return EXIT_INVALID;
    }
    const batches = planBatches(
      targets.hosts.map((host) => host.entry.name),
      plan.strategy,
    );
    lines.push(
      `  ${targets.hosts.length} host(s) in ${batches.length} batch(es): ${batches.map((batch) => batch.join(' ')).join(' | ')}`,
    );
    const { origins } = effectiveCommands(plan, targets);
    for (const stage of COMMAND_STAGES) {
      const origin = origins[stage];
      if (origin !== undefined) lines.push(`  commands.${stage}: ${describeStageOrigin(origin)}`);
    }
    lines.push(
      `  needs ${targets.environment.approvals} approval(s)${targets.environment.approvers.length ? ` from ${targets.environment.approvers.join(', ')}` : ''}`,
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
