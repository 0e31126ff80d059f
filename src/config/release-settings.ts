/**
 * The settings of the repo config that a release of a plan depends on, resolved for that plan: which machines it
 * reaches and how (addresses, ports, users, pinned host keys, executors, deploy directories), what its commands get
 * (env, the names of the secrets), the commands the config gives its stages (environment over app), how it transfers
 * the package, and how many approvals it needed. The plan digest
 * covers them, so approvers approve the plan together with the config it runs against, and a change to any of them
 * after the approval needs a new approval (checked again when the release starts).
 */
import { z } from 'zod';
import { canonicalJson } from '../lib/canonical-json.ts';
import { COMMAND_FIELDS, transferSchema } from '../plan/index.ts';
import { COMMAND_STAGES, type CommandSettings, type Probe } from '../plan/types.ts';
import { configCommands } from './effective-commands.ts';
import type { AppConfig, EnvironmentConfig, ResolvedHost } from './types.ts';

const hostSettingsSchema = z.object({
  name: z.string(),
  address: z.string(),
  port: z.number(),
  user: z.string().nullable(),
  hostKey: z.string().nullable(),
  executor: z.enum(['ssh', 'local']),
  deployTo: z.string(),
});

const probeSettingsSchema = z.union([
  z.object({ kind: z.literal('http'), url: z.string(), expectStatus: z.number() }),
  z.object({ kind: z.literal('command'), command: z.string() }),
]);

/** The config's commands as stored (the parsed `CommandSettings`, not the YAML). */
const commandSettingsRecordSchema = z
  .object({
    check: z.array(z.string()).optional(),
    preDeploy: z.array(z.string()).optional(),
    postDeploy: z.array(z.string()).optional(),
    release: z.array(z.string()).optional(),
    health: z.object({ probe: probeSettingsSchema, retries: z.number(), intervalMs: z.number() }).optional(),
    monitor: z.object({ probe: probeSettingsSchema, durationMs: z.number(), intervalMs: z.number() }).optional(),
  })
  .transform((fields): CommandSettings => {
    const settings: CommandSettings = {};
    const probe = (stored: z.output<typeof probeSettingsSchema>): Probe => ({ ...stored });
    if (fields.check !== undefined) settings.check = fields.check;
    if (fields.preDeploy !== undefined) settings.preDeploy = fields.preDeploy;
    if (fields.postDeploy !== undefined) settings.postDeploy = fields.postDeploy;
    if (fields.release !== undefined) settings.release = fields.release;
    if (fields.health !== undefined) settings.health = { ...fields.health, probe: probe(fields.health.probe) };
    if (fields.monitor !== undefined) settings.monitor = { ...fields.monitor, probe: probe(fields.monitor.probe) };
    return settings;
  });

/**
 * Stored with the plan version (jsonb) and read back with this schema. `commands` is absent when the config gives the
 * environment no commands: settings stored before the config could hold commands read back the same as such a config.
 */
export const releaseSettingsSchema = z
  .object({
    deployTo: z.string(),
    transfer: transferSchema.nullable(),
    hosts: z.array(hostSettingsSchema),
    env: z.record(z.string(), z.string()),
    secretEnv: z.array(z.string()),
    approvals: z.number(),
    commands: commandSettingsRecordSchema.optional(),
  })
  .transform(
    ({ commands, ...settings }): ReleaseSettings => ({
      ...settings,
      ...(commands === undefined ? {} : { commands }),
    }),
  );

export interface ReleaseSettings {
  deployTo: string;
  transfer: z.output<typeof transferSchema> | null;
  hosts: z.output<typeof hostSettingsSchema>[];
  env: Record<string, string>;
  secretEnv: string[];
  approvals: number;
  /** The config's commands for the environment (environment over app); absent when it gives none. */
  commands?: CommandSettings;
}

/** The settings a release of the plan resolved to `targets` depends on (hosts in rollout order). */
export function releaseSettings(targets: {
  app: AppConfig;
  environment: EnvironmentConfig;
  hosts: readonly ResolvedHost[];
}): ReleaseSettings {
  const { app, environment } = targets;
  const commands = configCommands(app, environment).settings;
  return {
    deployTo: app.deployTo,
    transfer: environment.transfer ?? app.transfer ?? null,
    hosts: targets.hosts.map(({ entry, deployTo }) => ({
      name: entry.name,
      address: entry.address,
      port: entry.port,
      user: entry.user ?? null,
      hostKey: entry.hostKey ?? null,
      executor: entry.executor,
      deployTo,
    })),
    env: { ...environment.env },
    // Their order means nothing: sorted, so reordering the list is no change.
    secretEnv: [...environment.secretEnv].sort(),
    approvals: environment.approvals,
    ...(Object.keys(commands).length === 0 ? {} : { commands }),
  };
}

/**
 * `targets` with the approved settings in place of the config's current ones: what a run that continues an approved
 * release (a rollback, a resumed release) goes by, so it reaches the hosts the release reached.
 */
export function withApprovedSettings(
  targets: { app: AppConfig; environment: EnvironmentConfig; hosts: readonly ResolvedHost[] },
  approved: ReleaseSettings,
): { app: AppConfig; environment: EnvironmentConfig; hosts: ResolvedHost[] } {
  const { transfer: _appTransfer, commands: _appCommands, ...app } = targets.app;
  const { transfer: _environmentTransfer, commands: _environmentCommands, ...environment } = targets.environment;
  return {
    app: {
      ...app,
      deployTo: approved.deployTo,
      ...(approved.transfer === null ? {} : { transfer: approved.transfer }),
    },
    environment: {
      ...environment,
      env: { ...approved.env },
      secretEnv: [...approved.secretEnv],
      approvals: approved.approvals,
      // The approved commands, whichever of app or environment they came from then.
      ...(approved.commands === undefined ? {} : { commands: structuredClone(approved.commands) }),
    },
    hosts: approved.hosts.map((host) => ({
      entry: {
        name: host.name,
        address: host.address,
        port: host.port,
        executor: host.executor,
        deployTo: host.deployTo,
        ...(host.user === null ? {} : { user: host.user }),
        ...(host.hostKey === null ? {} : { hostKey: host.hostKey }),
      },
      deployTo: host.deployTo,
    })),
  };
}

/** The settings as plain JSON data, for the jsonb column and the digest. */
export function releaseSettingsRecord(settings: ReleaseSettings): Record<string, unknown> {
  return { ...settings };
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function describeValue(value: unknown): string {
  return value === null ? '(none)' : typeof value === 'string' ? value : canonicalJson(value);
}

/** One line per stage whose config commands changed: `commands.pre_deploy: ["npm ci"] → ["npm ci", "make"]`. */
function describeCommandChanges(approved: CommandSettings, now: CommandSettings): string[] {
  const changes: string[] = [];
  for (const stage of COMMAND_STAGES) {
    const before = approved[COMMAND_FIELDS[stage]];
    const after = now[COMMAND_FIELDS[stage]];
    if (!same(before ?? null, after ?? null))
      changes.push(`commands.${stage}: ${describeValue(before ?? null)} → ${describeValue(after ?? null)}`);
  }
  return changes;
}

/**
 * What changed between the approved settings and the current ones, one line each, for people ("host web-2: address
 * 10.0.0.12 → 10.9.9.9"). Secret values are never part of the settings; env values are shown as the repo config
 * holds them in plain text anyway.
 */
export function describeSettingsChanges(approved: ReleaseSettings, now: ReleaseSettings): string[] {
  const changes: string[] = [];
  if (approved.deployTo !== now.deployTo) changes.push(`deploy_to: ${approved.deployTo} → ${now.deployTo}`);
  if (approved.transfer !== now.transfer)
    changes.push(`transfer: ${describeValue(approved.transfer)} → ${describeValue(now.transfer)}`);
  if (approved.approvals !== now.approvals) changes.push(`approvals: ${approved.approvals} → ${now.approvals}`);
  if (!same(approved.secretEnv, now.secretEnv))
    changes.push(`secret_env: [${approved.secretEnv.join(', ')}] → [${now.secretEnv.join(', ')}]`);
  if (!same(approved.env, now.env)) {
    const names = [...new Set([...Object.keys(approved.env), ...Object.keys(now.env)])].sort();
    for (const name of names) {
      if (approved.env[name] !== now.env[name])
        changes.push(`env ${name}: ${approved.env[name] ?? '(unset)'} → ${now.env[name] ?? '(unset)'}`);
    }
  }
  changes.push(...describeCommandChanges(approved.commands ?? {}, now.commands ?? {}));
  const before = new Map(approved.hosts.map((host) => [host.name, host]));
  const after = new Map(now.hosts.map((host) => [host.name, host]));
  for (const host of approved.hosts) if (!after.has(host.name)) changes.push(`host ${host.name} removed`);
  for (const host of now.hosts) {
    const old = before.get(host.name);
    if (old === undefined) {
      changes.push(`host ${host.name} added (${host.address}:${host.port})`);
      continue;
    }
    for (const field of ['address', 'port', 'user', 'hostKey', 'executor', 'deployTo'] as const) {
      if (old[field] !== host[field])
        changes.push(`host ${host.name}: ${field} ${describeValue(old[field])} → ${describeValue(host[field])}`);
    }
  }
  if (
    changes.length === 0 &&
    !same(
      approved.hosts.map((host) => host.name),
      now.hosts.map((host) => host.name),
    )
  ) {
    changes.push(
      `host order: ${approved.hosts.map((host) => host.name).join(', ')} → ${now.hosts.map((host) => host.name).join(', ')}`,
    );
  }
  return changes;
}
