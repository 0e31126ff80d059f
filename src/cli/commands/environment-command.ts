/** Shared set-up of commands that act on a whole app environment: config, hosts, credentials. */
import { resolveEnvironmentTargets, type EnvironmentTargets } from '../../config/index.ts';
import type { ConnectHost } from '../../deploy/types.ts';
import type { CliIo } from '../cli-io.ts';
import { connectFromCli } from '../connect-from-cli.ts';
import { loadConfig } from '../prepare-release.ts';

export interface EnvironmentFlags {
  config?: string | undefined;
  app?: string | undefined;
  env?: string | undefined;
  identity?: string | undefined;
  user?: string | undefined;
  'accept-new-host-keys': boolean;
}

export type EnvironmentSetup =
  | {
      ok: true;
      app: string;
      environment: string;
      targets: Extract<EnvironmentTargets, { ok: true }>;
      connect: ConnectHost;
    }
  | { ok: false; message: string };

export async function environmentSetup(flags: EnvironmentFlags, io: CliIo): Promise<EnvironmentSetup> {
  if (!flags.config || !flags.app || !flags.env)
    return { ok: false, message: 'needs --config <file> --app <app> --env <environment>' };
  const config = await loadConfig(flags.config, io);
  if (!config.ok) return config;
  const targets = resolveEnvironmentTargets(config.config, flags.app, flags.env);
  if (!targets.ok) return targets;
  const ssh = await connectFromCli(
    {
      ...(flags.identity ? { identity: flags.identity } : {}),
      ...(flags.user ? { user: flags.user } : {}),
      acceptNewHostKeys: flags['accept-new-host-keys'],
    },
    io,
  );
  if (!ssh.ok) return ssh;
  return { ok: true, app: flags.app, environment: flags.env, targets, connect: ssh.connect };
}
