/**
 * Dispatches `yardmaster <command>` to its module, loaded only then (command-table.ts). `--version`, `help` and
 * `<command> --help` answer from here without loading any command.
 */
import { readFileSync } from 'node:fs';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.ts';
import { COMMANDS, findCommand } from './command-table.ts';

const HELP = `yardmaster: releases to fleets of hosts, nine stages per host, with rollback

${[...new Set(COMMANDS.map((command) => command.usage))].join('\n')}

\`yardmaster <command> --help\` (or -h, or \`yardmaster help <command>\`) prints one command's usage.
Exit codes: 0 released, 1 failed (and rolled back), 2 invalid input.
SSH identity: --identity <file>, else YARDMASTER_SSH_KEY / YARDMASTER_SSH_KEY_FILE, else ssh-agent, else ~/.ssh/id_*.
Host keys are pinned in the config (host_key: "SHA256:…"; \`yardmaster hosts scan --write\` adds them); --accept-new-host-keys accepts unpinned ones.
`;

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

/** `--help` or `-h` among the options (not after `--`, where everything is a positional). */
function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  switch (name) {
    case '--version':
    case 'version':
      io.stdout.write(`yardmaster ${version()}\n`);
      return EXIT_OK;
    case undefined:
      io.stderr.write(HELP);
      return EXIT_INVALID;
    case 'help':
    case '--help':
    case '-h':
      return help(args[0], io);
  }
  const command = findCommand(name);
  if (command === undefined) {
    io.stderr.write(`yardmaster: unknown command ${name}\n\n${HELP}`);
    return EXIT_INVALID;
  }
  if (asksForHelp(args)) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  const run = await command.load();
  return run(args, io);
}

/** `yardmaster help [<command>]`. */
function help(name: string | undefined, io: CliIo): number {
  if (name === undefined) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  const command = findCommand(name);
  if (command === undefined) {
    io.stderr.write(`yardmaster help: unknown command ${name}\n\n${HELP}`);
    return EXIT_INVALID;
  }
  io.stdout.write(`${command.usage}\n`);
  return EXIT_OK;
}
