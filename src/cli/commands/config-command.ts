/**
 * `yardmaster config check <file> [--against <older file>]`: parses and validates a repo config as the server does
 * (exit 0 valid, 2 not: each problem on stderr with its line and field); with `--against`, also what the change from
 * the older file does.
 */
import { diffConfigs, formatConfigChangesText } from '../../config/index.ts';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { CONFIG_USAGE } from '../command-usage.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { loadConfig } from '../prepare-release.ts';

const OPTIONS = { against: { type: 'string', short: 'a' } } as const;

function invalid(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${CONFIG_USAGE}\n`);
  return EXIT_INVALID;
}

export async function configCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('config', args, OPTIONS);
  if (!parsed.ok) return invalid(io, parsed.message);
  const [subcommand, file, ...rest] = parsed.positionals;
  if (subcommand !== 'check') return invalid(io, 'yardmaster config: expected the subcommand check');
  if (file === undefined || rest.length > 0) return invalid(io, 'yardmaster config check: needs one config file');

  const config = await loadConfig(file, io);
  if (!config.ok) {
    io.stderr.write(`${config.message}\n`);
    return EXIT_INVALID;
  }
  const lines = [`${file}: valid config`];
  const againstPath = parsed.values.against;
  if (againstPath !== undefined) {
    const older = await loadConfig(againstPath, io);
    if (!older.ok) {
      io.stderr.write(`${older.message}\n`);
      return EXIT_INVALID;
    }
    lines.push(`changes against ${againstPath}:`, formatConfigChangesText(diffConfigs(older.config, config.config)));
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
