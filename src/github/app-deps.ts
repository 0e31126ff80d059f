/** What the GitHub adapter needs from the process that runs it (the server wires these in src/main.ts). */
import type { LaneLimitsFor, LaneDeps } from '../lanes/index.ts';
import type { ServiceDeps } from '../workorders/service/types.ts';

export interface AppDeps {
  /** The work-order service's database and queue. */
  service: ServiceDeps;
  /** Base URL where people see an order (deployment `log_url`, links in comments), e.g. the dashboard. */
  publicUrl: string;
  /** Told after a plan, verdict or command changed an order (the Slack approval message follows it). */
  onOrderChanged?: (workOrderId: number) => void;
  /** Lanes for pull requests (a ```yardmaster-lane comment), when this server runs the lane library. */
  lanes?: {
    deps: LaneDeps;
    routerUrl: string;
    /** Each repository's lane TTL and instance quota (the operator policy); default: 72 h and 20 instances. */
    limitsFor?: LaneLimitsFor;
  };
}
