/**
 * src/notify/: notifications: fan-out of key events to Slack, e-mail and webhooks.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { NOTIFY_QUEUES } from './notify-queue.ts';
export { startNotifications } from './start-notifications.ts';
