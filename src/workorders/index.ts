/** The public face of the work-order domain (states, roles, commands, verdicts) for other folders. */
export { parseCommand } from './parse-command.ts';
export { reviewVerdict } from './review-verdict.ts';
export { hasRole, type TeamMembership } from './roles.ts';
