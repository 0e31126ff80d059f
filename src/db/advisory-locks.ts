/**
 * Keys of the PostgreSQL advisory locks Yardmaster takes, in one place so two purposes never share a key.
 * The two-int form keeps them apart from pg-boss's own advisory locks (which hash text into a single bigint key).
 */

/** First half of every key: "ym" in ASCII. */
export const LOCK_NAMESPACE = 0x796d;

/** Held (session lock, own connection) while migrations run, so processes starting together migrate once. */
export const MIGRATION_LOCK = 1;

/** Held (transaction lock) while an audit row is appended, so concurrent appends form one chain. */
export const AUDIT_APPEND_LOCK = 2;
