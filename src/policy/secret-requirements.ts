/**
 * Which secrets an environment of the repo config needs from the store — its `secret_env` names, the signing keys of
 * its notify webhooks and its Twilio credentials — and the check at plan submission that the store holds them all.
 */
import type { EnvironmentConfig, NotifyConfig } from '../config/types.ts';
import type { DbExecutor } from '../db/types.ts';
import type { SourceIssue } from '../plan/types.ts';
import { storedSecretNames } from './secret-store.ts';

/** One secret the config names, with the config field that names it. */
export interface SecretReference {
  name: string;
  /** e.g. `apps.shop.environments.production.secret_env[1]` */
  path: string;
}

/** The app's project (`projects.<name>`), whose notify webhooks and Twilio sign in with secrets of each environment. */
export interface ProjectNotify {
  name: string;
  notify?: NotifyConfig;
}

/**
 * The secrets `environment` (of app `app`) names, in config order: `secret_env`, then its notify block's (webhook keys,
 * Twilio's account SID and token), then the notify block's of the app's project.
 */
export function requiredSecrets(
  app: string,
  environmentName: string,
  environment: Pick<EnvironmentConfig, 'secretEnv' | 'notify'>,
  project?: ProjectNotify,
): SecretReference[] {
  const base = `apps.${app}.environments.${environmentName}`;
  return [
    ...environment.secretEnv.map((name, index) => ({ name, path: `${base}.secret_env[${index}]` })),
    ...notifySecrets(`${base}.notify`, environment.notify),
    ...(project === undefined ? [] : notifySecrets(`projects.${project.name}.notify`, project.notify)),
  ];
}

/** The secrets a `notify` block at `path` names: its webhooks' keys, then Twilio's account SID and auth token. */
function notifySecrets(path: string, notify: NotifyConfig | undefined): SecretReference[] {
  if (notify === undefined) return [];
  const sms = notify.sms;
  return [
    ...notify.webhooks.map((hook, index) => ({ name: hook.secretEnv, path: `${path}.webhooks[${index}].secret_env` })),
    ...(sms === undefined
      ? []
      : [
          { name: sms.accountSidEnv, path: `${path}.sms.account_sid_env` },
          { name: sms.authTokenEnv, path: `${path}.sms.auth_token_env` },
        ]),
  ];
}

/** The secrets a plan's environment names that the store lacks: their names, and one issue per config field. */
export interface MissingSecrets {
  names: string[];
  issues: SourceIssue[];
}

/**
 * Every secret the plan's environment names that the store lacks for this repository and environment, with one issue
 * per config field saying how an operator adds it. In server mode these values come from the store only, never from
 * the server's own environment.
 */
export async function missingSecretIssues(
  db: DbExecutor,
  repoFullName: string,
  app: string,
  environmentName: string,
  environment: Pick<EnvironmentConfig, 'secretEnv' | 'notify'>,
  project?: ProjectNotify,
): Promise<MissingSecrets> {
  const references = requiredSecrets(app, environmentName, environment, project);
  const stored = await storedSecretNames(
    db,
    repoFullName,
    environmentName,
    references.map((reference) => reference.name),
  );
  const missing = references.filter((reference) => !stored.has(reference.name));
  const issues = missing.map(
    (reference): SourceIssue => ({
      line: 0,
      column: 0,
      path: `.github/yardmaster.yml ${reference.path}`,
      message:
        `secret ${reference.name} is not in Yardmaster's secret store for ${repoFullName} (${environmentName}); ` +
        `secrets never come from the server's own environment; an operator adds it with: ` +
        `yardmaster secrets set --repo ${repoFullName} --env ${environmentName} ${reference.name}`,
    }),
  );
  return { names: [...new Set(missing.map((reference) => reference.name))], issues };
}
