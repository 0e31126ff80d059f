/** The environment every plan command sees: YM_* variables, the environment's `env`, and its secrets. */
import { shellAssignments, shellQuote } from '../executors/index.ts';

export interface CommandContext {
  app: string;
  environment: string;
  version: string;
  releaseDir: string;
  previousVersion: string | null;
  deployTo: string;
  sharedDir: string;
  env: Readonly<Record<string, string>>;
  secrets: Readonly<Record<string, string>>;
}

/** The variables in the order they are exported; YM_* last so a config cannot shadow them. */
export function commandVariables(context: CommandContext): Record<string, string> {
  return {
    ...context.env,
    ...context.secrets,
    YM_APP: context.app,
    YM_ENV: context.environment,
    YM_VERSION: context.version,
    YM_RELEASE_DIR: context.releaseDir,
    YM_PREVIOUS_VERSION: context.previousVersion ?? '',
    YM_DEPLOY_TO: context.deployTo,
    YM_SHARED_DIR: context.sharedDir,
  };
}

/**
 * The script fed to `sh -s` on the host's standard input for one plan command. Going through stdin keeps
 * secrets out of process arguments (visible in `ps`) and off the host's disk. The command itself is shell
 * by design (it was written by the plan's author and approved); every value around it is quoted.
 */
export function commandScript(context: CommandContext, command: string, cwd: string): string {
  return [
    `cd ${shellQuote(cwd)} || { echo "yardmaster: cannot enter "${shellQuote(cwd)} >&2; exit 97; }`,
    `export ${shellAssignments(commandVariables(context))}`,
    `exec /bin/sh -c ${shellQuote(command)} </dev/null`,
    '',
  ].join('\n');
}
