/**
 * src/github/: the GitHub adapter: webhook handlers, deliveries, reports, the repo config from GitHub.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { announceQueuedDeployment } from './announce-queued-deployment.ts';
export { type AppDeps } from './app-deps.ts';
export { createDeliveryInbox, type DeliveryInbox, type DeliveryInboxOptions } from './delivery-inbox.ts';
export { ROUTED_EVENTS } from './delivery-routes.ts';
export { type OctokitSlice, splitRepo } from './octokit-slice.ts';
export { createGitHubConfigLoader } from './repo-config.ts';
export { createGitHubReporter } from './report-worker-events.ts';
export { githubTeamMembership } from './team-membership.ts';
export {
  createRedeliveryTrigger,
  type RedeliveryTrigger,
  type RedeliveryTriggerOptions,
} from './redelivery-trigger.ts';
