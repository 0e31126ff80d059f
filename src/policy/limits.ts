/** Built-in bounds that apply without a policy file, and the defaults of a rule's optional fields. */

/** Lanes live at most 72 hours unless the policy says otherwise. */
export const DEFAULT_MAX_LANE_TTL_MS = 72 * 3_600_000;

/** Lane instances one repository may run at once unless the policy says otherwise. */
export const DEFAULT_MAX_LANE_INSTANCES = 20;
