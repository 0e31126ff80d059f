/** Who hears that an environment is set (environment-notice.ts), from the config now on the default branch. */
import type { RepoConfig } from '../config/types.ts';
import type { EnvironmentNotice } from './environment-notice.ts';
import type { NotifyTarget } from './notify-queue.ts';
import { lookupLogin } from './person-calls.ts';
import { subscriberTargets } from './subscriber-targets.ts';

/** Who hears of it, each once: subscribers of the environment that take `environment_set`, then the managers' DMs and e-mails. */
export function environmentNoticeTargets(config: RepoConfig, notice: EnvironmentNotice): NotifyTarget[] {
  const settings = config.apps[notice.app]?.environments[notice.environment];
  // Removed again by the time the notice goes out: nothing is set any more.
  if (settings === undefined) return [];
  const notify = settings.notify;
  const subscribed = notify?.events.includes('environment_set') === true ? notify : undefined;
  const managers = config.roles.projectManager.filter((principal) => !principal.startsWith('team:'));
  const dms = managers.map((login) => lookupLogin(config.slack?.users, login)).filter((member) => member !== undefined);
  const mails = managers.map((login) => lookupLogin(config.email?.users, login)).filter((to) => to !== undefined);
  const targets: NotifyTarget[] = [
    ...(subscribed === undefined ? [] : subscriberTargets(subscribed)),
    ...dms.map((channel): NotifyTarget => ({ kind: 'slack', channel })),
    ...mails.map((to): NotifyTarget => ({ kind: 'email', to })),
  ];
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = JSON.stringify(target);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
