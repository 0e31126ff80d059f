/** The workers' wiring with Slack's reporter beside GitHub's (each shielded from the other), waited for at shutdown. */
import { type GitHubWorkerWiring, withEventSink } from '../runtime/index.ts';
import type { SlackReporter } from './report-worker-events.ts';

export function withSlackReport(wiring: GitHubWorkerWiring, slack: SlackReporter | undefined): GitHubWorkerWiring {
  if (slack === undefined) return wiring;
  return {
    ...withEventSink(wiring, slack),
    idle: async () => {
      await wiring.idle?.();
      await slack.idle();
    },
  };
}
