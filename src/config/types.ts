/** Shared types of the repo config `.github/yardmaster.yml` after validation. */
import type { CommandSettings, TransferMethod } from '../plan/types.ts';

export type ExecutorKind = 'ssh' | 'local';

/** The key events an environment's `notify.events` may name (notify/ sends them). */
export const KEY_EVENT_KINDS = [
  'requested',
  'submitted',
  'approved',
  'rejected',
  'scheduled',
  'started',
  'failed',
  'rolled_back',
  'succeeded',
  'accepted',
] as const;
export type KeyEventKind = (typeof KEY_EVENT_KINDS)[number];

/**
 * What an environment's `notify.events` may name: the key events of work orders, and `environment_set` (a change on
 * the default branch added or changed the environment: its settings are in force).
 */
export const NOTIFY_EVENT_KINDS = [...KEY_EVENT_KINDS, 'environment_set'] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENT_KINDS)[number];

/**
 * The audit action of "a push to the default branch added or changed an environment" (src/github writes it, with
 * `repo` and {@link EnvironmentSetAuditData}; src/notify tells the environment's subscribers and the project managers).
 */
export const ENVIRONMENT_SET_AUDIT_ACTION = 'config.environment_set';

/** The `data` of an {@link ENVIRONMENT_SET_AUDIT_ACTION} row. */
export interface EnvironmentSetAuditData {
  app: string;
  environment: string;
  change: 'added' | 'changed';
  /** The default branch's commit that made the change. */
  commit: string;
  /** The App's installation on the repository (to read its config when notifying). */
  installationId: number;
}

/** One host as written in the config's `hosts:` groups, with defaults applied. */
export interface HostEntry {
  name: string;
  address: string;
  port: number;
  /** Login user; absent = the controller's default (`--user`, else the current user). */
  user?: string;
  /** Pinned OpenSSH fingerprint `SHA256:<base64>`; absent = unknown (refused unless accepting new keys). */
  hostKey?: string;
  /** Overrides the app's deploy_to on this host. */
  deployTo?: string;
  executor: ExecutorKind;
}

export interface EnvironmentConfig {
  hosts: string[];
  approvals: number;
  approvers: string[];
  freeze: string[];
  production: boolean;
  /** Variables passed to every command of this environment. */
  env: Record<string, string>;
  /**
   * Names of secret variables, masked in all output. The server takes their values from the secret store (repository
   * + environment); only the offline CLI, run by the operator, takes them from its own environment.
   */
  secretEnv: string[];
  transfer?: TransferMethod;
  /** Where this environment's approval messages go (else `slack.channel`). */
  slackChannel?: string;
  /**
   * `preflight: required`: approvals are refused until the current plan's pre-flight (the check stage, read-only, on
   * every host) has passed. Absent (or `optional`): pre-flight runs and is shown, but approvals do not wait for it.
   */
  preflight?: 'required' | 'optional';
  /** Who hears of this environment's key events. */
  notify?: NotifyConfig;
  /** Commands of the stages it names, over the app's (and under a plan's, where the operator's policy allows). */
  commands?: CommandSettings;
}

/** Subscriptions to an environment's key events. */
export interface NotifyConfig {
  events: NotifyEventKind[];
  slack: string[];
  email: string[];
  /** The signing key is the secret `secretEnv` in the secret store, for the repository and this environment. */
  webhooks: { url: string; secretEnv: string }[];
  /** Text messages through Twilio's Messages API; its credentials are secrets in the store, like webhook keys. */
  sms?: SmsSubscription;
}

/** `notify.sms`: who gets a text message, from which sender, with which Twilio account (secret names, never values). */
export interface SmsSubscription {
  /** E.164 phone numbers, e.g. `+15551234567`. */
  to: string[];
  /** An E.164 number or an alphanumeric sender id (sent as `From`), or a Messaging Service SID `MG…`. */
  from: string;
  /** Secret holding the Twilio Account SID (`AC…`). */
  accountSidEnv: string;
  /** Secret holding the Twilio auth token (or an API key secret; see docs/operations.md). */
  authTokenEnv: string;
}

export interface AppConfig {
  project?: string;
  deployTo: string;
  environments: Record<string, EnvironmentConfig>;
  transfer?: TransferMethod;
  /** Commands of the stages it names, for every environment that does not name the stage itself. */
  commands?: CommandSettings;
}

export interface RolesConfig {
  projectManager: string[];
  developer: string[];
  ops: string[];
  deployer: string[];
  acceptor: string[];
}

export interface SlackConfig {
  /**
   * The Slack workspace (team id) this repository belongs to: `/yardmaster status` from that workspace may list it
   * (in a channel this config names, or to a member `users` names); from any other workspace it never does.
   */
  team?: string;
  channel?: string;
  users: Record<string, string>;
}

/** `email:`: the addresses of people, for the notifications that call a named person to their step. */
export interface EmailConfig {
  /** GitHub login → e-mail address. */
  users: Record<string, string>;
}

/**
 * `projects.<name>`: apps join a project with their `project:` field. Its `roles` replace the repository's roles of
 * the same name for its apps' orders (only the roles it writes); its `notify` subscribers hear of the key events of
 * every environment of its apps, besides the environment's own.
 */
export interface ProjectConfig {
  description?: string;
  roles: Partial<RolesConfig>;
  notify?: NotifyConfig;
}

export interface RepoConfig {
  apps: Record<string, AppConfig>;
  hosts: Record<string, HostEntry[]>;
  roles: RolesConfig;
  /** Empty when the config has no `projects:`; then an app's `project:` is a free label (statistics only). */
  projects: Record<string, ProjectConfig>;
  slack?: SlackConfig;
  email?: EmailConfig;
}

/** A host a release goes to, with its effective deploy directory (the host's `deploy_to`, else the app's). */
export interface ResolvedHost {
  entry: HostEntry;
  deployTo: string;
}
