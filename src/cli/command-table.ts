/**
 * Every `yardmaster <command>`: its name, its usage and a loader. The dispatcher (run-cli.ts) imports a command's
 * module only when that command runs, so `--version`, `--help` and `validate` never load the database, queue,
 * GitHub or SSH stack of the others. To add a command: its usage in command-usage.ts, a row here whose `load`
 * imports the module with `import()`.
 */
import type { CliIo } from './cli-io.ts';
import {
  AUDIT_USAGE,
  CONFIG_USAGE,
  DASHBOARD_USAGE,
  DEPLOY_USAGE,
  HOSTS_USAGE,
  LANES_USAGE,
  RELEASES_USAGE,
  ROLLBACK_USAGE,
  SECRETS_USAGE,
  TESTDRIVE_USAGE,
  VALIDATE_USAGE,
  WORKER_USAGE,
} from './command-usage.ts';

/** Runs a command with the arguments after its name; resolves to the exit code. */
export type CommandRun = (args: readonly string[], io: CliIo) => Promise<number>;

export interface CliCommand {
  readonly name: string;
  /** Printed by `yardmaster <name> --help` and `yardmaster help <name>` (exit 0), and after an invalid argument. */
  readonly usage: string;
  /** Imports the command's module: only when the command runs. */
  readonly load: () => Promise<CommandRun>;
}

/** In the order `yardmaster help` lists them (`retry` shares deploy's usage, which describes both). */
export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'testdrive',
    usage: TESTDRIVE_USAGE,
    load: async () => (await import('./commands/testdrive-command.ts')).testdriveCommand,
  },
  {
    name: 'validate',
    usage: VALIDATE_USAGE,
    load: async () => (await import('./commands/validate-command.ts')).validateCommand,
  },
  {
    name: 'config',
    usage: CONFIG_USAGE,
    load: async () => (await import('./commands/config-command.ts')).configCommand,
  },
  {
    name: 'deploy',
    usage: DEPLOY_USAGE,
    load: async () => {
      const { deployCommand } = await import('./commands/deploy-command.ts');
      return (args, io) => deployCommand(args, io, 'deploy');
    },
  },
  {
    name: 'retry',
    usage: DEPLOY_USAGE,
    load: async () => {
      const { deployCommand } = await import('./commands/deploy-command.ts');
      return (args, io) => deployCommand(args, io, 'retry');
    },
  },
  {
    name: 'rollback',
    usage: ROLLBACK_USAGE,
    load: async () => (await import('./commands/rollback-command.ts')).rollbackCommand,
  },
  {
    name: 'releases',
    usage: RELEASES_USAGE,
    load: async () => (await import('./commands/releases-command.ts')).releasesCommand,
  },
  { name: 'hosts', usage: HOSTS_USAGE, load: async () => (await import('./commands/hosts-command.ts')).hostsCommand },
  { name: 'audit', usage: AUDIT_USAGE, load: async () => (await import('./commands/audit-command.ts')).auditCommand },
  {
    name: 'dashboard',
    usage: DASHBOARD_USAGE,
    load: async () => (await import('./commands/dashboard-command.ts')).dashboardCommand,
  },
  {
    name: 'secrets',
    usage: SECRETS_USAGE,
    load: async () => (await import('./commands/secrets-command.ts')).secretsCommand,
  },
  {
    name: 'worker',
    usage: WORKER_USAGE,
    load: async () => (await import('./commands/worker-command.ts')).workerCommand,
  },
  { name: 'lanes', usage: LANES_USAGE, load: async () => (await import('./commands/lanes-command.ts')).lanesCommand },
];

export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((command) => command.name === name);
}
