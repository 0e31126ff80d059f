/**
/**
 * What a change of the repo config does, in short human sentences: apps, projects, environments, commands, hosts and
 * host groups, roles and approvers (the projects' too), approvals needed, freeze windows, notifications. Pure; the
 * CLI's `config check --against` and the push check run print it.
 */
import { COMMAND_FIELDS } from '../plan/index.ts';
import { COMMAND_STAGES, type CommandSettings } from '../plan/types.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type {
  AppConfig,
  EnvironmentConfig,
  HostEntry,
  NotifyConfig,
  ProjectConfig,
  RepoConfig,
  RolesConfig,
} from './types.ts';

/** The groups a change belongs to, in the order the summaries list them. */
export const CONFIG_CHANGE_KINDS = [
  'apps',
  'environments',
  'commands',
  'hosts',
  'roles',
  'approvals',
  'freeze',
  'notifications',
] as const;
export type ConfigChangeKind = (typeof CONFIG_CHANGE_KINDS)[number];

export interface ConfigChange {
  kind: ConfigChangeKind;
  action: 'added' | 'removed' | 'changed';
  /** What changed, e.g. `environment checkout-api/production`, `host group web`, `role ops`. */
  subject: string;
  /** One sentence, e.g. `environment checkout-api/production: approvals 1 → 2`. */
  text: string;
}

/** Each role with its name in the YAML. */
const ROLE_NAMES: readonly (readonly [keyof RolesConfig, string])[] = [
  ['projectManager', 'project_manager'],
  ['developer', 'developer'],
  ['ops', 'ops'],
  ['deployer', 'deployer'],
  ['acceptor', 'acceptor'],
];

const EMPTY_CONFIG: RepoConfig = {
  apps: {},
  hosts: {},
  roles: { projectManager: [], developer: [], ops: [], deployer: [], acceptor: [] },
  projects: {},
};

function change(kind: ConfigChangeKind, action: ConfigChange['action'], subject: string, detail: string): ConfigChange {
  return { kind, action, subject, text: `${subject}: ${detail}` };
}

/** `a → b` when a field's value differs; `a added` / `a removed` when it is newly set / no longer set. */
function fieldChange(
  kind: ConfigChangeKind,
  subject: string,
  field: string,
  before: string | number | boolean | undefined,
  after: string | number | boolean | undefined,
): ConfigChange[] {
  if (before === after) return [];
  if (before === undefined) return [change(kind, 'added', subject, `${field} ${String(after)} added`)];
  if (after === undefined) return [change(kind, 'removed', subject, `${field} ${String(before)} removed`)];
  return [change(kind, 'changed', subject, `${field} ${String(before)} → ${String(after)}`)];
}

/** One change per item added to or removed from a list (order alone is no change). */
function listChanges(
  kind: ConfigChangeKind,
  subject: string,
  label: string,
  before: readonly string[],
  after: readonly string[],
): ConfigChange[] {
  const prefix = label === '' ? '' : `${label} `;
  return [
    ...after
      .filter((item) => !before.includes(item))
      .map((item) => change(kind, 'added', subject, `${prefix}added ${item}`)),
    ...before
      .filter((item) => !after.includes(item))
      .map((item) => change(kind, 'removed', subject, `${prefix}removed ${item}`)),
  ];
}

function keysOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { both: string[]; added: string[]; removed: string[] } {
  const beforeKeys = Object.keys(before);
  const afterKeys = Object.keys(after);
  return {
    both: afterKeys.filter((key) => Object.hasOwn(before, key)),
    added: afterKeys.filter((key) => !Object.hasOwn(before, key)),
    removed: beforeKeys.filter((key) => !Object.hasOwn(after, key)),
  };
}

function envVarChanges(subject: string, before: Record<string, string>, after: Record<string, string>): ConfigChange[] {
  const keys = keysOf(before, after);
  return [
    ...keys.added.map((key) => change('environments', 'added', subject, `env ${key} added`)),
    ...keys.removed.map((key) => change('environments', 'removed', subject, `env ${key} removed`)),
    ...keys.both
      .filter((key) => before[key] !== after[key])
      .map((key) => change('environments', 'changed', subject, `env ${key} changed`)),
  ];
}

/**
 * One change per stage of `commands:` set, unset or changed. Like env values, the commands themselves are not
 * repeated: the plan reply shows every command that will run, with where it comes from.
 */
function commandChanges(
  subject: string,
  before: CommandSettings | undefined,
  after: CommandSettings | undefined,
): ConfigChange[] {
  return COMMAND_STAGES.flatMap((stage) => {
    const from = before?.[COMMAND_FIELDS[stage]];
    const to = after?.[COMMAND_FIELDS[stage]];
    if (from === undefined && to === undefined) return [];
    if (from === undefined) return [change('commands', 'added', subject, `commands.${stage} added`)];
    if (to === undefined) return [change('commands', 'removed', subject, `commands.${stage} removed`)];
    return canonicalJson(from) === canonicalJson(to)
      ? []
      : [change('commands', 'changed', subject, `commands.${stage} changed`)];
  });
}

const NO_NOTIFY: NotifyConfig = { events: [], slack: [], email: [], webhooks: [] };

function notifyChanges(
  subject: string,
  before: NotifyConfig | undefined,
  after: NotifyConfig | undefined,
): ConfigChange[] {
  const from = before ?? NO_NOTIFY;
  const to = after ?? NO_NOTIFY;
  return [
    ...listChanges('notifications', subject, 'notify event', from.events, to.events),
    ...listChanges('notifications', subject, 'notify slack', from.slack, to.slack),
    ...listChanges('notifications', subject, 'notify email', from.email, to.email),
    ...listChanges(
      'notifications',
      subject,
      'notify webhook',
      from.webhooks.map((hook) => hook.url),
      to.webhooks.map((hook) => hook.url),
    ),
    ...listChanges('notifications', subject, 'notify sms', from.sms?.to ?? [], to.sms?.to ?? []),
    ...fieldChange('notifications', subject, 'notify sms sender', from.sms?.from, to.sms?.from),
  ];
}

function environmentChanges(subject: string, before: EnvironmentConfig, after: EnvironmentConfig): ConfigChange[] {
  return [
    ...listChanges('environments', subject, 'hosts', before.hosts, after.hosts),
    ...fieldChange('environments', subject, 'production', before.production, after.production),
    ...fieldChange('environments', subject, 'transfer', before.transfer, after.transfer),
    ...envVarChanges(subject, before.env, after.env),
    ...listChanges('environments', subject, 'secret_env', before.secretEnv, after.secretEnv),
    ...commandChanges(subject, before.commands, after.commands),
    ...fieldChange('approvals', subject, 'approvals', before.approvals, after.approvals),
    // Absent and `optional` mean the same: approvals do not wait for the pre-flight.
    ...fieldChange('approvals', subject, 'preflight', before.preflight ?? 'optional', after.preflight ?? 'optional'),
    ...listChanges('roles', subject, 'approvers', before.approvers, after.approvers),
    ...listChanges('freeze', subject, 'freeze window', before.freeze, after.freeze),
    ...fieldChange('notifications', subject, 'slack_channel', before.slackChannel, after.slackChannel),
    ...notifyChanges(subject, before.notify, after.notify),
  ];
}

function appChanges(name: string, before: AppConfig, after: AppConfig): ConfigChange[] {
  const subject = `app ${name}`;
  const environments = keysOf(before.environments, after.environments);
  return [
    ...fieldChange('apps', subject, 'project', before.project, after.project),
    ...fieldChange('apps', subject, 'deploy_to', before.deployTo, after.deployTo),
    ...fieldChange('apps', subject, 'transfer', before.transfer, after.transfer),
    ...commandChanges(subject, before.commands, after.commands),
    ...environments.added.map((env) => change('environments', 'added', `environment ${name}/${env}`, 'added')),
    ...environments.removed.map((env) => change('environments', 'removed', `environment ${name}/${env}`, 'removed')),
    ...environments.both.flatMap((env) => {
      const from = before.environments[env];
      const to = after.environments[env];
      return from === undefined || to === undefined ? [] : environmentChanges(`environment ${name}/${env}`, from, to);
    }),
  ];
}

function hostChanges(before: HostEntry, after: HostEntry): ConfigChange[] {
  const subject = `host ${after.name}`;
  return [
    ...fieldChange('hosts', subject, 'address', before.address, after.address),
    ...fieldChange('hosts', subject, 'port', before.port, after.port),
    ...fieldChange('hosts', subject, 'user', before.user, after.user),
    ...fieldChange('hosts', subject, 'host_key', before.hostKey, after.hostKey),
    ...fieldChange('hosts', subject, 'deploy_to', before.deployTo, after.deployTo),
    ...fieldChange('hosts', subject, 'executor', before.executor, after.executor),
  ];
}

function hostGroupChanges(before: RepoConfig['hosts'], after: RepoConfig['hosts']): ConfigChange[] {
  const groups = keysOf(before, after);
  const names = (entries: readonly HostEntry[] | undefined): string[] => (entries ?? []).map((host) => host.name);
  const changes = [
    ...groups.added.map((group) =>
      change('hosts', 'added', `host group ${group}`, `added (${names(after[group]).join(', ')})`),
    ),
    ...groups.removed.map((group) => change('hosts', 'removed', `host group ${group}`, 'removed')),
    ...groups.both.flatMap((group) =>
      listChanges('hosts', `host group ${group}`, '', names(before[group]), names(after[group])),
    ),
  ];
  // A host's own fields, compared wherever it is written (a host may move between groups).
  const beforeHosts = new Map(
    Object.values(before)
      .flat()
      .map((host) => [host.name, host]),
  );
  const seen = new Set<string>();
  for (const host of Object.values(after).flat()) {
    const old = beforeHosts.get(host.name);
    if (old === undefined || seen.has(host.name)) continue;
    seen.add(host.name);
    changes.push(...hostChanges(old, host));
  }
  return changes;
}

function roleChanges(before: RolesConfig, after: RolesConfig): ConfigChange[] {
  return ROLE_NAMES.flatMap(([role, name]) => listChanges('roles', `role ${name}`, '', before[role], after[role]));
}

/**
 * A project added or removed is an `apps` change (it groups apps); its roles are `roles` changes, each role it
 * starts or stops replacing named as such; its subscribers are `notifications` changes.
 */
function projectChanges(before: RepoConfig['projects'], after: RepoConfig['projects']): ConfigChange[] {
  const projects = keysOf(before, after);
  const one = (name: string, from: ProjectConfig | undefined, to: ProjectConfig | undefined): ConfigChange[] => {
    const subject = `project ${name}`;
    return [
      ...fieldChange('apps', subject, 'description', from?.description, to?.description),
      ...ROLE_NAMES.flatMap(([role, label]) => {
        const old = from?.roles[role];
        const now = to?.roles[role];
        if (old === undefined && now === undefined) return [];
        if (old === undefined) {
          const holders = now === undefined || now.length === 0 ? 'nobody' : now.join(', ');
          return [change('roles', 'added', subject, `role ${label} set to ${holders}`)];
        }
        if (now === undefined)
          return [change('roles', 'removed', subject, `role ${label} removed (the repository's applies)`)];
        return listChanges('roles', subject, `role ${label}`, old, now);
      }),
      ...notifyChanges(subject, from?.notify, to?.notify),
    ];
  };
  return [
    ...projects.added.map((name) => change('apps', 'added', `project ${name}`, 'added')),
    ...projects.removed.map((name) => change('apps', 'removed', `project ${name}`, 'removed')),
    ...[...projects.added, ...projects.removed, ...projects.both].flatMap((name) =>
      one(name, before[name], after[name]),
    ),
  ];
}

function slackChanges(before: RepoConfig['slack'], after: RepoConfig['slack']): ConfigChange[] {
  const users = keysOf(before?.users ?? {}, after?.users ?? {});
  return [
    ...fieldChange('notifications', 'slack', 'team', before?.team, after?.team),
    ...fieldChange('notifications', 'slack', 'channel', before?.channel, after?.channel),
    ...users.added.map((login) => change('notifications', 'added', 'slack', `user ${login} added`)),
    ...users.removed.map((login) => change('notifications', 'removed', 'slack', `user ${login} removed`)),
    ...users.both
      .filter((login) => before?.users[login] !== after?.users[login])
      .map((login) => change('notifications', 'changed', 'slack', `user ${login} changed`)),
  ];
}

/** `email.users`: people's addresses (the address itself is not repeated: it is personal data). */
function emailChanges(before: RepoConfig['email'], after: RepoConfig['email']): ConfigChange[] {
  const users = keysOf(before?.users ?? {}, after?.users ?? {});
  return [
    ...users.added.map((login) => change('notifications', 'added', 'email', `user ${login} added`)),
    ...users.removed.map((login) => change('notifications', 'removed', 'email', `user ${login} removed`)),
    ...users.both
      .filter((login) => before?.users[login] !== after?.users[login])
      .map((login) => change('notifications', 'changed', 'email', `user ${login} changed`)),
  ];
}

/**
 * Every change from `before` (null: no config yet, so everything is added) to `after`, grouped by kind in
 * CONFIG_CHANGE_KINDS order. An empty list means the change does nothing (formatting, comments, order of maps).
 */
export function diffConfigs(before: RepoConfig | null, after: RepoConfig): ConfigChange[] {
  const from = before ?? EMPTY_CONFIG;
  const apps = keysOf(from.apps, after.apps);
  const changes = [
    ...apps.added.map((name) => {
      const environments = Object.keys(after.apps[name]?.environments ?? {});
      return change('apps', 'added', `app ${name}`, `added (environments ${environments.join(', ')})`);
    }),
    ...apps.removed.map((name) => change('apps', 'removed', `app ${name}`, 'removed')),
    ...apps.both.flatMap((name) => {
      const old = from.apps[name];
      const now = after.apps[name];
      return old === undefined || now === undefined ? [] : appChanges(name, old, now);
    }),
    ...hostGroupChanges(from.hosts, after.hosts),
    ...roleChanges(from.roles, after.roles),
    ...projectChanges(from.projects, after.projects),
    ...slackChanges(from.slack, after.slack),
    ...emailChanges(from.email, after.email),
  ];
  return CONFIG_CHANGE_KINDS.flatMap((kind) => changes.filter((item) => item.kind === kind));
}
