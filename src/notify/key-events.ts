/** Which transitions of the audit log are key events people subscribe to, and as what. */
import type { KeyEventKind } from './types.ts';

/** The key event of a transition into `toState` for `cause`; undefined for transitions nobody is told of. */
export function keyEventKindOf(toState: string | null, cause: unknown): KeyEventKind | undefined {
  switch (toState) {
    case 'requested':
      // The order's first row (`work_order.opened`): nothing moves into `requested`.
      return 'requested';
    case 'planned':
      return cause === 'plan-posted' ? 'submitted' : undefined;
    case 'approved':
      return cause === 'quorum-reached' ? 'approved' : undefined;
    case 'scheduled':
      return 'scheduled';
    case 'rejected':
      return 'rejected';
    case 'running':
      return cause === 'started' ? 'started' : undefined;
    case 'failed':
      return cause === 'rollback-finished' ? 'rolled_back' : 'failed';
    case 'succeeded':
      return 'succeeded';
    case 'accepted':
      return 'accepted';
    default:
      return undefined;
  }
}
