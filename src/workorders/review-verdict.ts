/** Pull request review states as approval verdicts (the state string only; no GitHub types in the domain). */
import type { ApprovalVerdict } from './types.ts';

/**
 * The verdict a pull request review records, or `undefined` when it changes nothing.
 *
 * APPROVED approves; CHANGES_REQUESTED and DISMISSED revoke (they withdraw an approval but do not reject the order:
 * only `/reject` does); COMMENTED and PENDING leave the reviewer's earlier verdict standing, as GitHub itself does.
 * Webhooks spell states in lowercase and the REST API in uppercase, so case is ignored.
 */
export function reviewVerdict(state: string): ApprovalVerdict | undefined {
  switch (state.toUpperCase()) {
    case 'APPROVED':
      return 'approved';
    case 'CHANGES_REQUESTED':
    case 'DISMISSED':
      return 'revoked';
    default:
      return undefined;
  }
}
