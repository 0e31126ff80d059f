/**
 * Rules GitHub enforces that its OpenAPI description does not express.
 *
 * Octokit's override loosens the check-run create schema (no `anyOf` on status/conclusion), and GitHub documents
 * "**Required if you provide `completed_at` or a `status` of `completed`**" only in prose, so a check run left
 * completed without a conclusion would pass the schema and fail (422) on github.com.
 */
import { isJsonObject } from './github-openapi-spec.ts';
import type { RequestViolation } from './github-openapi-types.ts';

const CHECK_RUN_OPERATIONS = new Set(['checks/create', 'checks/update']);

function checkRunConclusion(body: unknown): RequestViolation[] {
  if (!isJsonObject(body) || body.conclusion !== undefined) return [];
  if (body.status === 'completed') {
    return [
      { rule: 'check-run-conclusion', path: 'body.conclusion', message: 'is required when status is "completed"' },
    ];
  }
  if (body.completed_at !== undefined) {
    return [
      { rule: 'check-run-conclusion', path: 'body.conclusion', message: 'is required when completed_at is given' },
    ];
  }
  return [];
}

/** Violations of the rules above for one operation's JSON body. */
export function extraRuleViolations(operationId: string, body: unknown): RequestViolation[] {
  return CHECK_RUN_OPERATIONS.has(operationId) ? checkRunConclusion(body) : [];
}
