/** Turns `--config` and a plan file into a release request, or one clear message (exit code 2). */
import { dirname, resolve } from 'node:path';
import { loadRepoConfigFile, resolvePlanTargets, readSecretEnv, withEffectiveCommands } from '../config/index.ts';
import type { RepoConfig } from '../config/types.ts';
import type { ReleaseRequest } from '../deploy/types.ts';
import { formatIssues } from '../plan/index.ts';
import type { CliIo } from './cli-io.ts';
import { loadPlanFile } from './load-plan-file.ts';

export type Prepared =
  | { ok: true; request: Omit<ReleaseRequest, 'signal'>; config: RepoConfig; artifactsDir: string }
  | { ok: false; message: string };

/** Loads and checks the repo config, reporting issues with the file name. */
export async function loadConfig(
  path: string,
  io: CliIo,
): Promise<{ ok: true; config: RepoConfig } | { ok: false; message: string }> {
  const absolute = resolve(io.cwd, path);
  const loaded = await loadRepoConfigFile(absolute);
  if (!loaded.ok)
    return {
      ok: false,
      message: formatIssues(loaded.issues)
        .split('\n')
        .map((line) => `${path}: ${line}`)
        .join('\n'),
    };
  return { ok: true, config: loaded.value };
}

export async function prepareRelease(configPath: string, planPath: string, io: CliIo): Promise<Prepared> {
  const config = await loadConfig(configPath, io);
  if (!config.ok) return config;
  const absolutePlan = resolve(io.cwd, planPath);
  const loaded = await loadPlanFile(absolutePlan);
  if (!loaded.ok) return { ok: false, message: loaded.message };
  const targets = resolvePlanTargets(config.config, loaded.plan);
  if (!targets.ok)
    return {
      ok: false,
      message: formatIssues(targets.issues)
        .split('\n')
        .map((line) => `${planPath}: ${line}`)
        .join('\n'),
    };
  const secrets = readSecretEnv(targets.environment, io.env);
  if (!secrets.ok) {
    return {
      ok: false,
      message: `secret_env of ${loaded.plan.app}/${loaded.plan.environment} not set in this environment: ${secrets.missing.join(', ')}`,
    };
  }
  return {
    ok: true,
    config: config.config,
    artifactsDir: io.env.YARDMASTER_ARTIFACTS_DIR ?? dirname(absolutePlan),
    request: {
      // The config's commands (environment over app) under the plan's own, as the server merges them; the CLI has no
      // operator policy, so a plan's commands are always allowed here.
      plan: withEffectiveCommands(loaded.plan, targets),
      app: targets.app,
      environment: targets.environment,
      hosts: targets.hosts,
      secrets: secrets.values,
    },
  };
}
