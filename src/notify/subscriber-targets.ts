/** An environment's `notify` subscribers as delivery targets: each e-mail address, webhook, Slack channel and phone. */
import type { NotifyConfig } from '../config/types.ts';
import type { NotifyTarget } from './notify-queue.ts';

export function subscriberTargets(notify: NotifyConfig): NotifyTarget[] {
  const sms = notify.sms;
  return [
    ...notify.email.map((to): NotifyTarget => ({ kind: 'email', to })),
    ...notify.webhooks.map((hook): NotifyTarget => ({ kind: 'webhook', url: hook.url, secretEnv: hook.secretEnv })),
    ...notify.slack.map((channel): NotifyTarget => ({ kind: 'slack', channel })),
    ...(sms === undefined
      ? []
      : sms.to.map(
          (to): NotifyTarget => ({
            kind: 'sms',
            to,
            from: sms.from,
            accountSidEnv: sms.accountSidEnv,
            authTokenEnv: sms.authTokenEnv,
          }),
        )),
  ];
}
