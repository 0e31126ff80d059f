/** `yardmaster releases --config <file> --app A --env E`: what is live where, from each host's releases.log. */
import { inspectEnvironment } from '../../deploy/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { RELEASES_USAGE } from '../command-usage.ts';
import { formatInventory } from '../format-result.ts';
import { hostFlags, parseCliArgs } from '../parse-cli-args.ts';
import { environmentSetup } from './environment-command.ts';

export async function releasesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('releases', args, { ...hostFlags, app: { type: 'string' }, env: { type: 'string' } });
  if (!parsed.ok || parsed.positionals.length > 0) {
    io.stderr.write(`${parsed.ok ? 'unexpected arguments' : parsed.message}\n\n${RELEASES_USAGE}\n`);
    return EXIT_INVALID;
  }
  const setup = await environmentSetup(parsed.values, io);
  if (!setup.ok) {
    io.stderr.write(`${setup.message}\n\n${RELEASES_USAGE}\n`);
    return EXIT_INVALID;
  }
  const hosts = await inspectEnvironment(setup.targets.hosts, setup.connect, io.signal);
  io.stdout.write(
    parsed.values.json
      ? `${JSON.stringify({ app: setup.app, environment: setup.environment, hosts })}\n`
      : formatInventory(setup.app, setup.environment, hosts),
  );
  return hosts.every((host) => host.ok) ? EXIT_OK : EXIT_FAILED;
}
