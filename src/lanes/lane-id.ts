/**
 * Lane ids. A lane opened by the operator (CLI, lanes API) is named by them: `feature-42`. A lane opened from a
 * repository (a pull-request comment) lives in that repository's namespace: `<owner>/<repo>/<name>`, lower case
 * (GitHub names are case-insensitive), so no repository can name, change or end another's lane, and no repository
 * lane can be mistaken for an operator's (those never contain `/`). The id is what requests carry
 * (`x-yardmaster-lane`, or W3C baggage `yardmaster-lane=` percent-encoded) and what the database stores.
 */

/** A lane's own name: lowercase letters, digits and `-`, at most 63 (what a spec's `lane:` may say). */
export const LANE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A lane id: a name, or `<owner>/<repo>/<name>` (GitHub owner and repository names, lower case). */
export const LANE_ID = /^(?:[a-z0-9][a-z0-9-]{0,38}\/[a-z0-9._-]{1,100}\/)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The namespace of a repository's lanes: `<owner>/<repo>/`, lower case. */
export function laneNamespace(repoFullName: string): string {
  return `${repoFullName.toLowerCase()}/`;
}

/** The id of lane `name` of repository `owner/repo`. */
export function repoLaneId(repoFullName: string, name: string): string {
  return `${laneNamespace(repoFullName)}${name}`;
}

/** The default name of a pull request's lane (its spec names none): `pr-<n>`. */
export function pullLaneName(number: number): string {
  return `pr-${number}`;
}

/** Whether `id` is a well-formed lane id. */
export function isLaneId(id: string): boolean {
  return LANE_ID.test(id);
}
