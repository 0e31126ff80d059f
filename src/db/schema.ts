/**
 * The Yardmaster database schema (drizzle pg-core). drizzle-kit reads this file to write the SQL migrations in
 * migrations/; change a table here, then run `drizzle-kit generate` and commit both.
 *
 * Conventions: snake_case names written out (no casing magic, so the SQL in migrations/ reads like the code),
 * `timestamptz` everywhere, closed vocabularies as text + CHECK (see vocabulary.ts) rather than pg enums, because
 * adding a word to a CHECK is one plain migration while `ALTER TYPE … ADD VALUE` cannot run in a transaction.
 */
import { sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  primaryKey,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import {
  APPROVAL_SOURCES,
  APPROVAL_VERDICTS,
  HOST_OUTCOMES,
  PREFLIGHT_STATUSES,
  RELEASE_STATUSES,
  STAGE_EVENT_RESULTS,
  STAGE_EVENT_STAGES,
  WEBHOOK_DELIVERY_STATUSES,
  WORK_ORDER_KINDS,
  WORK_ORDER_STATES,
} from './vocabulary.ts';

/** `column IN ('a', 'b', …)` for a CHECK constraint; the words are our own constants, never user input. */
function oneOf(column: AnyPgColumn, words: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(words.map((word) => `'${word.replaceAll("'", "''")}'`).join(', '))})`;
}

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => timestamptz('created_at').notNull().defaultNow();
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

// ---------------------------------------------------------------------------------------------------------------
// Synced from `.github/yardmaster.yml` on the default branch. Natural keys (repo full name + names) because every
// webhook names the repo and the plan names the app and environment; the sync upserts on them.

/** One app of a repo's config. */
export const apps = pgTable(
  'apps',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    name: text('name').notNull(),
    project: text('project'),
    deployTo: text('deploy_to').notNull(),
    /** The app's config as validated (environments excluded: they have their own rows). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    syncedAt: timestamptz('synced_at').notNull().defaultNow(),
  },
  (t) => [unique('apps_repo_name_uq').on(t.repoFullName, t.name)],
);

/** One environment of an app, with what the approval policy needs as columns. */
export const environments = pgTable(
  'environments',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    name: text('name').notNull(),
    production: boolean('production').notNull().default(false),
    approvalsNeeded: integer('approvals_needed').notNull().default(1),
    /** GitHub logins or `team:slug`; empty means anyone with the ops role. */
    approvers: text('approvers').array().notNull().default(sql`'{}'::text[]`),
    /** Host groups or host names, in rollout order. */
    hosts: text('hosts').array().notNull().default(sql`'{}'::text[]`),
    freeze: text('freeze').array().notNull().default(sql`'{}'::text[]`),
    /** The environment's config as validated (env, secret_env names, transfer); never secret values. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    syncedAt: timestamptz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    unique('environments_repo_app_name_uq').on(t.repoFullName, t.app, t.name),
    foreignKey({
      name: 'environments_app_fk',
      columns: [t.repoFullName, t.app],
      foreignColumns: [apps.repoFullName, apps.name],
    }).onDelete('cascade'),
    check('environments_approvals_needed_ck', sql`${t.approvalsNeeded} >= 0`),
  ],
);

/** One host of a repo's config; hosts are repo-wide (groups in `hosts:`), so they key on repo + host name. */
export const hosts = pgTable(
  'hosts',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    name: text('name').notNull(),
    /** The `hosts:` groups this host is listed in. */
    groups: text('groups').array().notNull().default(sql`'{}'::text[]`),
    address: text('address').notNull(),
    port: integer('port').notNull().default(22),
    user: text('user'),
    hostKey: text('host_key'),
    deployTo: text('deploy_to'),
    executor: text('executor', { enum: ['ssh', 'local'] })
      .notNull()
      .default('ssh'),
    syncedAt: timestamptz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    unique('hosts_repo_name_uq').on(t.repoFullName, t.name),
    check('hosts_executor_ck', oneOf(t.executor, ['ssh', 'local'])),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Work orders and what happens to them.

/**
 * A work order. Uniqueness (partial unique indexes):
 * - an issue is one work order for its whole life: unique (repo, number) where kind = 'issue';
 * - a pull-request deployment is one *open* order per (repo, PR, environment): unique where kind = 'pull_request'
 *   and closed_at is null. Pushes to the PR update head_sha and add plan versions on the same order; once the order
 *   is closed (accepted, rejected, cancelled, …: the service sets closed_at), a new `/deploy <env>` opens a new one
 *   and the old one stays as history.
 */
export const workOrders = pgTable(
  'work_orders',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    installationId: bigint('installation_id', { mode: 'number' }).notNull(),
    kind: text('kind', { enum: WORK_ORDER_KINDS }).notNull(),
    /** The issue or pull-request number. */
    number: integer('number').notNull(),
    title: text('title').notNull(),
    state: text('state', { enum: WORK_ORDER_STATES }).notNull().default('requested'),
    /** Known once a plan names them; a PR deployment knows its environment from `/deploy <env>`. */
    app: text('app'),
    environment: text('environment'),
    /** Logins: who opened it, and the people named in the issue form. */
    requester: text('requester').notNull(),
    planAuthor: text('plan_author'),
    deployer: text('deployer'),
    acceptor: text('acceptor'),
    /** The issue form's "requirement" text. */
    requirement: text('requirement'),
    scheduledAt: timestamptz('scheduled_at'),
    /** PR head (PR deployments) or the default branch head the order's check runs go on. */
    headSha: text('head_sha'),
    /** The queued pg-boss job that starts the release, so a new digest or an abort can cancel it in its transaction. */
    startJobId: text('start_job_id'),
    createdAt: createdAt(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    /** Set when the order reaches a state it never leaves; frees the PR deployment key. */
    closedAt: timestamptz('closed_at'),
    /** When its first succeeded release finished (set with that release's result): the lead-time statistic. */
    releasedAt: timestamptz('released_at'),
  },
  (t) => [
    uniqueIndex('work_orders_issue_uq').on(t.repoFullName, t.number).where(sql`${t.kind} = 'issue'`),
    uniqueIndex('work_orders_pr_open_uq')
      .on(t.repoFullName, t.number, t.environment)
      .where(sql`${t.kind} = 'pull_request' and ${t.closedAt} is null`),
    index('work_orders_repo_number_idx').on(t.repoFullName, t.number),
    index('work_orders_state_idx').on(t.state),
    index('work_orders_app_env_idx').on(t.repoFullName, t.app, t.environment),
    index('work_orders_released_at_idx').on(t.releasedAt),
    check('work_orders_kind_ck', oneOf(t.kind, WORK_ORDER_KINDS)),
    check('work_orders_state_ck', oneOf(t.state, WORK_ORDER_STATES)),
    check('work_orders_pr_environment_ck', sql`${t.kind} <> 'pull_request' or ${t.environment} is not null`),
  ],
);

/** Every plan a work order has had; the current plan is the one with the highest seq. */
export const planVersions = pgTable(
  'plan_versions',
  {
    id: id(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    seq: integer('seq').notNull(),
    /** The comment the plan came from (edits of it make new versions). */
    commentId: bigint('comment_id', { mode: 'number' }),
    author: text('author').notNull(),
    yaml: text('yaml').notNull(),
    /** The parsed plan, as the release engine takes it. */
    plan: jsonb('plan').$type<Record<string, unknown>>().notNull(),
    /** sha256 of the parsed plan + commit SHA + package sha256 + `resolved`: what an approval is for. */
    digest: text('digest').notNull(),
    commitSha: text('commit_sha'),
    /**
     * The release settings of the repo config the digest covers (hosts with addresses, ports, users and host keys,
     * deploy_to, env, secret names, approvals needed), as resolved when the version was made; null on versions made
     * before the digest covered them. A release starts only while the config still resolves to the same.
     */
    resolved: jsonb('resolved').$type<Record<string, unknown>>(),
    /**
     * GitHub's time of the text this version came from (the plan comment's created_at, or updated_at for an edit; the
     * pull request's updated_at for a push), compared with GitHub's time of an approval (comment created_at, review
     * submitted_at) to tell which version the approver saw. Null when Yardmaster made the version itself: then
     * created_at (the server's clock) stands in.
     */
    sourceTime: timestamptz('source_time'),
    createdAt: createdAt(),
    /**
     * When this plan (order + digest) first reached its approval quorum: set by the service in the transaction that
     * approves the order, on the first version with the digest (where the wait began). The approval-wait statistic.
     */
    quorumReachedAt: timestamptz('quorum_reached_at'),
  },
  (t) => [
    unique('plan_versions_order_seq_uq').on(t.workOrderId, t.seq),
    index('plan_versions_quorum_reached_idx').on(t.quorumReachedAt),
    index('plan_versions_digest_idx').on(t.digest),
    // Statistics: when each plan (order + digest) was first submitted, read in order by approval wait.
    index('plan_versions_order_digest_idx').on(t.workOrderId, t.digest, t.createdAt),
  ],
);

/**
 * Approvals, rejections and revocations, each for the digest its actor saw. A row is never changed: a revoked
 * approval is a later `revoked` row. source_ref identifies the outside event (`review:<id>`, `comment:<id>`, a Slack
 * action's ts, a CLI invocation id); unique (source, source_ref) makes a redelivered review or a replayed click a
 * conflict instead of a second vote.
 */
export const approvals = pgTable(
  'approvals',
  {
    id: id(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    actor: text('actor').notNull(),
    source: text('source', { enum: APPROVAL_SOURCES }).notNull(),
    digest: text('digest').notNull(),
    verdict: text('verdict', { enum: APPROVAL_VERDICTS }).notNull(),
    reason: text('reason'),
    sourceRef: text('source_ref').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('approvals_source_ref_uq').on(t.source, t.sourceRef),
    index('approvals_order_digest_idx').on(t.workOrderId, t.digest),
    // Statistics: approvals given in a time range (activity per person), and each approver's votes per plan in
    // order, which approval wait groups without sorting.
    index('approvals_created_at_idx').on(t.createdAt),
    index('approvals_quorum_idx')
      .on(t.workOrderId, t.digest, t.actor, t.createdAt)
      .where(sql`${t.verdict} = 'approved'`),
    check('approvals_source_ck', oneOf(t.source, APPROVAL_SOURCES)),
    check('approvals_verdict_ck', oneOf(t.verdict, APPROVAL_VERDICTS)),
  ],
);

/**
 * The pre-flight of an order's plan version (one row per order and digest; `/preflight` runs it again as the next
 * attempt): the check stage, read-only, on every host. `hosts` is the engine's per-host report; `message` says why
 * it could not reach the hosts (the package, the config) or what the free-space rule went by.
 */
export const preflightRuns = pgTable(
  'preflight_runs',
  {
    id: id(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    digest: text('digest').notNull(),
    /** Counts runs of this digest's pre-flight: a job's result is stored only if it is still the latest attempt. */
    attempt: integer('attempt').notNull().default(1),
    status: text('status', { enum: PREFLIGHT_STATUSES }).notNull().default('pending'),
    hosts: jsonb('hosts').$type<unknown[]>().notNull().default([]),
    message: text('message'),
    requestedBy: text('requested_by').notNull(),
    /** The plan reply comment on GitHub, whose pre-flight section is edited when the result arrives. */
    replyCommentId: bigint('reply_comment_id', { mode: 'number' }),
    requestedAt: timestamptz('requested_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    unique('preflight_runs_order_digest_uq').on(t.workOrderId, t.digest),
    check('preflight_runs_status_ck', oneOf(t.status, PREFLIGHT_STATUSES)),
  ],
);

/** One release (a run of the engine, keyed by its release id; a retry reuses the id and adds host runs). */
export const releases = pgTable(
  'releases',
  {
    id: id(),
    /** Null for releases started outside a work order (e.g. a CLI rollback recorded here). */
    workOrderId: bigint('work_order_id', { mode: 'number' }).references(() => workOrders.id),
    releaseId: text('release_id').notNull(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    version: text('version').notNull(),
    status: text('status', { enum: RELEASE_STATUSES }).notNull().default('queued'),
    startedAt: timestamptz('started_at'),
    finishedAt: timestamptz('finished_at'),
    /** The engine's ReleaseResult once finished. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** The hosts in rollout order, batch by batch, as the engine planned them at start (the dashboard's grid rows). */
    batches: jsonb('batches').$type<string[][]>(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('releases_release_id_uq').on(t.releaseId),
    index('releases_work_order_idx').on(t.workOrderId),
    index('releases_app_env_idx').on(t.repoFullName, t.app, t.environment, t.createdAt),
    // Statistics (src/web/stats): ranges of finished releases, and each app + environment's releases newest first
    // with their status, which time-to-restore reads in one ordered pass (an index-only scan, no sort).
    index('releases_finished_at_idx').on(t.finishedAt),
    index('releases_timeline_idx').on(t.repoFullName, t.app, t.environment, t.finishedAt.desc(), t.id.desc(), t.status),
    check('releases_status_ck', oneOf(t.status, RELEASE_STATUSES)),
  ],
);

/** What one run of a release did to one host; attempt counts retries of the same release on that host. */
export const hostRuns = pgTable(
  'host_runs',
  {
    id: id(),
    releaseId: text('release_id')
      .notNull()
      .references(() => releases.releaseId),
    host: text('host').notNull(),
    attempt: integer('attempt').notNull().default(1),
    outcome: text('outcome', { enum: HOST_OUTCOMES }).notNull(),
    previousVersion: text('previous_version'),
    /** HostFailure (stage, exit code, message, last lines), already masked. */
    failure: jsonb('failure').$type<Record<string, unknown>>(),
    durationMs: integer('duration_ms').notNull(),
    finishedAt: timestamptz('finished_at').notNull().defaultNow(),
  },
  (t) => [
    unique('host_runs_release_host_attempt_uq').on(t.releaseId, t.host, t.attempt),
    check('host_runs_outcome_ck', oneOf(t.outcome, HOST_OUTCOMES)),
  ],
);

/** Stage starts and results per host, for check runs and the dashboard. Output lines are not stored here. */
export const stageEvents = pgTable(
  'stage_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    releaseId: text('release_id')
      .notNull()
      .references(() => releases.releaseId),
    host: text('host').notNull(),
    stage: text('stage', { enum: STAGE_EVENT_STAGES }).notNull(),
    result: text('result', { enum: STAGE_EVENT_RESULTS }).notNull(),
    durationMs: integer('duration_ms'),
    exitCode: integer('exit_code'),
    message: text('message'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [
    index('stage_events_release_idx').on(t.releaseId, t.id),
    check('stage_events_stage_ck', oneOf(t.stage, STAGE_EVENT_STAGES)),
    check('stage_events_result_ck', oneOf(t.result, STAGE_EVENT_RESULTS)),
  ],
);

/**
 * One lock row per app + environment: one running release at a time. A worker holds it with a lease it renews
 * by heartbeat; an expired lease may be taken over. A manual `/lock <reason>` holds it with no work order and no
 * lease (locked_by + manual_reason) until `/unlock`. The row is kept when free (holder and owner null).
 */
export const environmentLocks = pgTable(
  'environment_locks',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    holderWorkOrderId: bigint('holder_work_order_id', { mode: 'number' }).references(() => workOrders.id),
    /** The worker process holding it (e.g. `hostname:pid:uuid`). */
    owner: text('owner'),
    leaseExpiresAt: timestamptz('lease_expires_at'),
    heartbeatAt: timestamptz('heartbeat_at'),
    acquiredAt: timestamptz('acquired_at'),
    lockedBy: text('locked_by'),
    manualReason: text('manual_reason'),
  },
  (t) => [unique('environment_locks_repo_app_env_uq').on(t.repoFullName, t.app, t.environment)],
);

/** Orders waiting for an environment's lock, served in id order ("later orders wait in order and say so"). */
export const environmentLockWaiters = pgTable(
  'environment_lock_waiters',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    enqueuedAt: timestamptz('enqueued_at').notNull().defaultNow(),
  },
  (t) => [
    unique('environment_lock_waiters_order_uq').on(t.workOrderId),
    index('environment_lock_waiters_env_idx').on(t.repoFullName, t.app, t.environment, t.id),
  ],
);

/**
 * Every webhook delivery seen, by GitHub's delivery id: a redelivery conflicts on it and is not handled twice.
 * It is also the inbox: the webhook answer waits only for this row (with the payload); the handling happens after,
 * in order per `subject_key`, and a process that stopped mid-way picks up rows still `received` or `handling`.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: text('delivery_id').notNull(),
    event: text('event').notNull(),
    action: text('action'),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    handledAt: timestamptz('handled_at'),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('received'),
    error: text('error'),
    /** The App installation the delivery came for (whose token the handler uses). */
    installationId: bigint('installation_id', { mode: 'number' }),
    /** Deliveries with the same key (repository + issue, pull request or order) are handled one after another. */
    subjectKey: text('subject_key'),
    /** The payload until the delivery is handled (then cleared: the audit log keeps what counts). */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    /** When a handler took it (`handling`). */
    claimedAt: timestamptz('claimed_at'),
    /** Attempts that failed for a transient reason (`retrying`); reset when the delivery is stored again. */
    attempts: integer('attempts').notNull().default(0),
    /** When a `retrying` delivery is taken again. */
    nextAttemptAt: timestamptz('next_attempt_at'),
    /**
     * When the event happened by GitHub's clock, where the payload says (a comment's `updated_at`, a review's
     * `submitted_at`, …): with `received_at` and `id` it orders a subject's deliveries (delivery-order.ts).
     */
    eventAt: timestamptz('event_at'),
  },
  (t) => [
    unique('webhook_deliveries_delivery_id_uq').on(t.deliveryId),
    index('webhook_deliveries_received_at_idx').on(t.receivedAt),
    index('webhook_deliveries_unhandled_idx').on(t.id).where(sql`${t.status} in ('received', 'handling', 'retrying')`),
    index('webhook_deliveries_subject_unhandled_idx')
      .on(t.subjectKey, t.id)
      .where(sql`${t.status} in ('received', 'handling', 'retrying')`),
    check('webhook_deliveries_status_ck', oneOf(t.status, WEBHOOK_DELIVERY_STATUSES)),
  ],
);

/**
 * Which server handles a subject's deliveries now (src/github/subject-claims.ts): one row per subject being handled,
 * held by one server process until `lease_until`, renewed while it works, deleted when it is done; a row whose lease
 * ran out (its server died) is taken over by the next server that claims the subject.
 */
export const deliverySubjectClaims = pgTable('delivery_subject_claims', {
  subjectKey: text('subject_key').primaryKey(),
  holder: text('holder').notNull(),
  leaseUntil: timestamptz('lease_until').notNull(),
  claimedAt: timestamptz('claimed_at').notNull().defaultNow(),
});

/**
 * Periodic jobs of the servers (sweeps, recovery, fan-out; src/runtime/periodic-lease.ts): one row per job, held by
 * one server process until `lease_until` and renewed while it runs the job; another server takes it once the lease
 * ran out. `last_run_at`: when the job last ran (by whichever holder), so a new holder keeps the period.
 */
export const periodicJobLeases = pgTable('periodic_job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  leaseUntil: timestamptz('lease_until').notNull(),
  lastRunAt: timestamptz('last_run_at'),
});

/**
 * The append-only audit log. Every row carries the hash of the previous one (see audit-log.ts); a trigger from
 * a custom migration refuses UPDATE, DELETE and TRUNCATE. Rows are written only through appendAudit. `repo` is the
 * repository a row without a work order concerns (null: an operator action, or a row older than the column).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamptz('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    workOrderId: bigint('work_order_id', { mode: 'number' }).references(() => workOrders.id),
    fromState: text('from_state'),
    toState: text('to_state'),
    reason: text('reason'),
    data: jsonb('data').$type<unknown>().notNull().default({}),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    repo: text('repo'),
  },
  (t) => [
    unique('audit_log_hash_uq').on(t.hash),
    // Two rows naming the same predecessor would fork the chain: make that an insert error, not a silent fork.
    unique('audit_log_prev_hash_uq').on(t.prevHash),
    index('audit_log_work_order_idx').on(t.workOrderId, t.id),
    index('audit_log_repo_idx').on(t.repo, t.id).where(sql`${t.repo} is not null`),
    // The audit rows of a release run from the CLI (its page reads them while the release runs).
    index('audit_log_release_idx').on(sql`(${t.data}->>'releaseId')`, t.id),
    // The state changes of a time range (statistics: work orders by outcome per week).
    index('audit_log_transition_at_idx').on(t.at).where(sql`${t.action} = 'work_order.transition'`),
  ],
);

/**
 * What the GitHub adapter created for a release, so that any process (a resumed worker included) updates the same
 * objects instead of making new ones: the deployment (kind `deployment`, name = environment) and one check run per
 * stage (kind `check_run`, name = the stage). A deployment made when the order was approved (status `queued`) has
 * release_id '' until the worker that starts the release adopts it.
 */
export const githubReports = pgTable(
  'github_reports',
  {
    id: id(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    releaseId: text('release_id').notNull(),
    kind: text('kind', { enum: ['deployment', 'check_run'] }).notNull(),
    name: text('name').notNull(),
    /** Null while a server creates a queued Deployment for the order (release_id '' until a worker adopts it). */
    githubId: bigint('github_id', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [unique('github_reports_release_object_uq').on(t.workOrderId, t.releaseId, t.kind, t.name)],
);

/**
 * The Slack approval message of each plan version of an order (by digest): where it is, so that it is updated in
 * place as approvals arrive and when the order moves; `stale` once a newer plan replaced it (its buttons gone).
 */
export const slackMessages = pgTable(
  'slack_messages',
  {
    id: id(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    digest: text('digest').notNull(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    stale: boolean('stale').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique('slack_messages_order_digest_uq').on(t.workOrderId, t.digest)],
);

/**
 * How far the notification fan-out has read the audit log: one row (id 1). Key events are read from the audit log's
 * transitions after `last_audit_id` and turned into delivery jobs in the same transaction that moves it on.
 */
export const notifyCursor = pgTable('notify_cursor', {
  id: integer('id').primaryKey(),
  lastAuditId: bigint('last_audit_id', { mode: 'number' }).notNull().default(0),
});

/**
 * The shared library of running service versions (lanes): one instance per service + version + package digest,
 * where it answers, and whether it is part of the baseline. Lanes use instances through `lane_members`.
 */
export const laneInstances = pgTable(
  'lane_instances',
  {
    id: id(),
    service: text('service').notNull(),
    version: text('version').notNull(),
    /** The package's sha256, or '' when the version has no package of its own. */
    packageDigest: text('package_digest').notNull().default(''),
    /** `http://host:port` once up. */
    endpoint: text('endpoint'),
    state: text('state', { enum: ['starting', 'up', 'down', 'failed'] })
      .notNull()
      .default('starting'),
    baseline: boolean('baseline').notNull().default(false),
    /** Who runs it: `process` (pid in runtime_ref), `ssh`, or `registered` (it registered itself). */
    runtime: text('runtime').notNull(),
    runtimeRef: text('runtime_ref'),
    error: text('error'),
    createdAt: createdAt(),
    lastUsedAt: timestamptz('last_used_at').notNull().defaultNow(),
    heartbeatAt: timestamptz('heartbeat_at'),
    /** What the operator says of it (free text, at most 500 characters; '' when nothing). */
    description: text('description').notNull().default(''),
    /** Who looks after it: a team or a person (at most 100 characters; '' when nobody is named). */
    owner: text('owner').notNull().default(''),
    /** Labels `{ key: value }` (at most 32, bounded in src/lanes/instance-metadata.ts). */
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    unique('lane_instances_service_version_uq').on(t.service, t.version, t.packageDigest),
    index('lane_instances_service_idx').on(t.service),
    check('lane_instances_description_ck', sql`char_length(${t.description}) <= 500`),
    check('lane_instances_owner_ck', sql`char_length(${t.owner}) <= 100`),
    check('lane_instances_labels_ck', sql`jsonb_typeof(${t.labels}) = 'object'`),
  ],
);

/**
 * A test task's lane: its id, routing mode and spec; `ended_at` once its tags are removed. A lane opened from a
 * repository (a pull-request comment) has the id `<owner>/<repo>/<name>` in lower case; an operator's lane has a
 * plain name (no `/`), so no repository can reach another's lanes by naming them.
 */
export const lanes = pgTable(
  'lanes',
  {
    id: id(),
    name: text('name').notNull(),
    mode: text('mode', { enum: ['fallback', 'strict'] }).notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamptz('expires_at').notNull(),
    endedAt: timestamptz('ended_at'),
    /** The pull request a lane belongs to (a lane spec in a PR comment), which ends it when closed. */
    repoFullName: text('repo_full_name'),
    pullNumber: integer('pull_number'),
  },
  (t) => [
    uniqueIndex('lanes_active_name_uq').on(t.name).where(sql`${t.endedAt} is null`),
    index('lanes_pull_idx').on(t.repoFullName, t.pullNumber),
    check(
      'lanes_namespace_ck',
      sql`(${t.repoFullName} is null and strpos(${t.name}, '/') = 0) or (${t.repoFullName} is not null and starts_with(${t.name}, lower(${t.repoFullName}) || '/'))`,
    ),
  ],
);

/** The lane tags: which instance serves a service in a lane. */
export const laneMembers = pgTable(
  'lane_members',
  {
    laneId: bigint('lane_id', { mode: 'number' })
      .notNull()
      .references(() => lanes.id),
    service: text('service').notNull(),
    instanceId: bigint('instance_id', { mode: 'number' })
      .notNull()
      .references(() => laneInstances.id),
    /** Whether the task deployed it (else it was in the library already). */
    deployed: boolean('deployed').notNull(),
  },
  (t) => [
    unique('lane_members_lane_service_uq').on(t.laneId, t.service),
    index('lane_members_instance_idx').on(t.instanceId),
  ],
);

/**
 * The operator's lane catalog in the database: one row per service, `entry` being the service as the catalog file
 * writes it (`{ health, env, start }` or `{ health, ssh: { host, deploy_to, packages, start, port_range } }`),
 * checked by the catalog's schema on the way in and again when loaded. A row overrides the catalog file's entry for
 * its service; every server reloads on NOTIFY. Edited only through the lanes API and CLI (the operator's), audited.
 */
export const laneCatalog = pgTable('lane_catalog', {
  service: text('service').primaryKey(),
  entry: jsonb('entry').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by').notNull(),
});

/**
 * Packages of new versions added to the catalog's ssh services through the lanes API (a CI system's build): merged
 * into the service's entry, whether it comes from the catalog file or a `lane_catalog` row, which stay as the operator
 * wrote them. A version's package is never replaced (the library shares a version between lanes).
 */
export const laneCatalogPackages = pgTable(
  'lane_catalog_packages',
  {
    service: text('service').notNull(),
    version: text('version').notNull(),
    url: text('url').notNull(),
    sha256: text('sha256').notNull(),
    addedAt: timestamptz('added_at').notNull().defaultNow(),
    addedBy: text('added_by').notNull(),
  },
  (t) => [primaryKey({ name: 'lane_catalog_packages_pk', columns: [t.service, t.version] })],
);

// ---------------------------------------------------------------------------------------------------------------
// Dashboard.

/**
 * What each host printed during a stage (already masked by the engine), so that the dashboard shows it from any
 * process. Capped per host and stage by the recorder; a trigger NOTIFYs `yardmaster_dashboard` like stage_events.
 */
export const stageOutput = pgTable(
  'stage_output',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    releaseId: text('release_id')
      .notNull()
      .references(() => releases.releaseId),
    host: text('host').notNull(),
    stage: text('stage').notNull(),
    stream: text('stream', { enum: ['stdout', 'stderr'] }).notNull(),
    line: text('line').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [index('stage_output_release_idx').on(t.releaseId, t.id)],
);

/**
 * Dashboard sign-ins (GitHub OAuth). The cookie carries the session's random token, signed; the row is keyed by the
 * token's sha256 so that a copy of the table opens no session. `repos` are the repositories the user could read
 * when last checked; the user's GitHub token is kept encrypted (AES-256-GCM) to check again.
 */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    login: text('login').notNull(),
    githubUserId: bigint('github_user_id', { mode: 'number' }).notNull(),
    repos: text('repos').array().notNull().default(sql`'{}'::text[]`),
    accessToken: text('access_token'),
    reposCheckedAt: timestamptz('repos_checked_at').notNull().defaultNow(),
    createdAt: createdAt(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('dashboard_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Finished releases counted per UTC day (of finished_at), repository, app, environment and status: a rollup kept by
 * a trigger on `releases` (migration 0014), so the counting statistics read a few hundred rows instead of every
 * release. A release finished again (a retry) moves its count; only finished statuses are counted.
 */
export const releaseDayCounts = pgTable(
  'release_day_counts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ name: 'release_day_counts_pk', columns: [t.day, t.repoFullName, t.app, t.environment, t.status] }),
  ],
);

/**
 * What each person did per UTC day and repository — orders requested, plan versions authored, approvals given,
 * releases deployed (finished, as the order's deployer) — kept by triggers (migration 0015) for the per-person
 * statistic over whole days.
 */
export const personDayCounts = pgTable(
  'person_day_counts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    repoFullName: text('repo_full_name').notNull(),
    person: text('person').notNull(),
    kind: text('kind', { enum: ['requested', 'authored', 'approved', 'deployed'] }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ name: 'person_day_counts_pk', columns: [t.day, t.repoFullName, t.person, t.kind] })],
);

/**
 * What each person did per UTC day, repository, app and environment (the work order's; the release's for releases
 * deployed; '' where the order has none yet): the same four kinds as `person_day_counts`, kept by triggers
 * (migration 0022) so the per-person statistic narrowed to a project, app or environment reads the rollup. A change
 * of an order's app, environment, repository or deployer moves its counts.
 */
export const personScopeDayCounts = pgTable(
  'person_scope_day_counts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    person: text('person').notNull(),
    kind: text('kind', { enum: ['requested', 'authored', 'approved', 'deployed'] }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'person_scope_day_counts_pk',
      columns: [t.day, t.repoFullName, t.app, t.environment, t.person, t.kind],
    }),
    // A project's apps, read index-only: the days of just those apps rather than every app's.
    index('person_scope_day_counts_app_idx').on(t.repoFullName, t.app, t.day, t.environment, t.person, t.kind, t.n),
  ],
);

/**
 * Approval waits (a plan's created_at → its quorum_reached_at) as a histogram per UTC day of the quorum, repository,
 * app and environment (the work order's; '' where none): `bucket` 0 holds waits under 1 ms, bucket b ≥ 1 waits in
 * [2^((b−1)/16), 2^(b/16)) ms; `n` waits with `total_ms` in all. Kept by triggers (migration 0022).
 */
export const approvalWaitBuckets = pgTable(
  'approval_wait_buckets',
  {
    day: date('day', { mode: 'string' }).notNull(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    bucket: integer('bucket').notNull(),
    n: integer('n').notNull(),
    totalMs: doublePrecision('total_ms').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'approval_wait_buckets_pk',
      columns: [t.day, t.repoFullName, t.app, t.environment, t.bucket],
    }),
  ],
);

/**
 * Work orders reaching an outcome per UTC day, repository, app and environment (the order's; '' where none): opened
 * (`requested`, by created_at) and the audit log's state changes into rejected, succeeded, failed (`rolled_back` when
 * a /rollback finished) and accepted, by the change's time. Kept by triggers (migration 0022); a change of an
 * order's repository, app or environment moves its counts.
 */
export const orderOutcomeDayCounts = pgTable(
  'order_outcome_day_counts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    outcome: text('outcome', {
      enum: ['requested', 'rejected', 'succeeded', 'failed', 'rolled_back', 'accepted'],
    }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'order_outcome_day_counts_pk',
      columns: [t.day, t.repoFullName, t.app, t.environment, t.outcome],
    }),
  ],
);

/**
 * Incidents for time to restore, one row per failure streak of an app + environment: its first failed (or partial)
 * release and the finish of the next succeeded release (null while unrestored). Kept by a trigger on `releases`
 * (migration 0022) that recomputes a key's streaks from the last success before the change.
 */
export const restoreIncidents = pgTable(
  'restore_incidents',
  {
    failedReleaseId: bigint('failed_release_id', { mode: 'number' }).primaryKey(),
    repoFullName: text('repo_full_name').notNull(),
    app: text('app').notNull(),
    environment: text('environment').notNull(),
    failedAt: timestamptz('failed_at').notNull(),
    restoredAt: timestamptz('restored_at'),
  },
  (t) => [
    index('restore_incidents_key_idx').on(t.repoFullName, t.app, t.environment, t.failedAt),
    index('restore_incidents_failed_at_idx').on(t.failedAt),
  ],
);

/**
 * The secret store (src/policy/secret-store.ts): values for an environment's `secret_env` and notify webhook keys,
 * per repository (lower case) and environment, sealed with AES-256-GCM under `YARDMASTER_SECRETS_KEY` and bound to
 * their row's repository, environment and name. `key_id` names the key that sealed the value (never the key).
 * The only table that holds secret values, and only sealed.
 */
export const secrets = pgTable(
  'secrets',
  {
    id: id(),
    repoFullName: text('repo_full_name').notNull(),
    environment: text('environment').notNull(),
    name: text('name').notNull(),
    sealed: text('sealed').notNull(),
    keyId: text('key_id').notNull(),
    setBy: text('set_by').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    unique('secrets_scope_uq').on(t.repoFullName, t.environment, t.name),
    check('secrets_repo_lower_ck', sql`${t.repoFullName} = lower(${t.repoFullName})`),
  ],
);
