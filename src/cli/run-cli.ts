/** Dispatches `yardmaster <command>` to its module. */
import { readFileSync } from 'node:fs';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.ts';
import { AUDIT_USAGE, auditCommand } from './commands/audit-command.ts';
import { DASHBOARD_USAGE, dashboardCommand } from './commands/dashboard-command.ts';
import { DEPLOY_USAGE, deployCommand } from './commands/deploy-command.ts';
import { LANES_USAGE, lanesCommand } from './commands/lanes-command.ts';
import { RELEASES_USAGE, releasesCommand } from './commands/releases-command.ts';
import { ROLLBACK_USAGE, rollbackCommand } from './commands/rollback-command.ts';
import { SECRETS_USAGE, secretsCommand } from './commands/secrets-command.ts';
import { testdriveCommand, TESTDRIVE_USAGE } from './commands/testdrive-command.ts';
import { VALIDATE_USAGE, validateCommand } from './commands/validate-command.ts';
import { WORKER_USAGE, workerCommand } from './commands/worker-command.ts';

const HELP = `yardmaster: releases to fleets of hosts, nine stages per host, with rollback

${TESTDRIVE_USAGE}
${VALIDATE_USAGE}
${DEPLOY_USAGE}
${ROLLBACK_USAGE}
${RELEASES_USAGE}
${AUDIT_USAGE}
${DASHBOARD_USAGE}
${SECRETS_USAGE}
${WORKER_USAGE}
${LANES_USAGE}

Exit codes: 0 released, 1 failed (and rolled back), 2 invalid input.
SSH identity: --identity <file>, else YARDMASTER_SSH_KEY / YARDMASTER_SSH_KEY_FILE, else ssh-agent, else ~/.ssh/id_*.
Host keys are pinned in the config (host_key: "SHA256:…"); --accept-new-host-keys accepts unpinned ones.
`;

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'deploy':
      return deployCommand(args, io, 'deploy');
    case 'retry':
      return deployCommand(args, io, 'retry');
    case 'rollback':
      return rollbackCommand(args, io);
    case 'releases':
      return releasesCommand(args, io);
    case 'validate':
      return validateCommand(args, io);
    case 'testdrive':
      return testdriveCommand(args, io);
    case 'audit':
      return auditCommand(args, io);
    case 'dashboard':
      return dashboardCommand(args, io);
    case 'secrets':
      return secretsCommand(args, io);
    case 'worker':
      return workerCommand(args, io);
    case 'lanes':
      return lanesCommand(args, io);
    case '--version':
    case 'version':
      io.stdout.write(`yardmaster ${version()}\n`);
      return EXIT_OK;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(HELP);
      return command === undefined ? EXIT_INVALID : EXIT_OK;
    default:
      io.stderr.write(`unknown command: ${command}\n\n${HELP}`);
      return EXIT_INVALID;
  }
}
