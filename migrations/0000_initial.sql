CREATE TABLE "approvals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "approvals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"work_order_id" bigint NOT NULL,
	"actor" text NOT NULL,
	"source" text NOT NULL,
	"digest" text NOT NULL,
	"verdict" text NOT NULL,
	"reason" text,
	"source_ref" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_source_ref_uq" UNIQUE("source","source_ref"),
	CONSTRAINT "approvals_source_ck" CHECK ("approvals"."source" in ('github', 'slack', 'cli')),
	CONSTRAINT "approvals_verdict_ck" CHECK ("approvals"."verdict" in ('approved', 'rejected', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "apps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "apps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"name" text NOT NULL,
	"project" text,
	"deploy_to" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "apps_repo_name_uq" UNIQUE("repo_full_name","name")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"work_order_id" bigint,
	"from_state" text,
	"to_state" text,
	"reason" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_hash_uq" UNIQUE("hash"),
	CONSTRAINT "audit_log_prev_hash_uq" UNIQUE("prev_hash")
);
--> statement-breakpoint
CREATE TABLE "environment_lock_waiters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "environment_lock_waiters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"work_order_id" bigint NOT NULL,
	"enqueued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "environment_lock_waiters_order_uq" UNIQUE("work_order_id")
);
--> statement-breakpoint
CREATE TABLE "environment_locks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "environment_locks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"holder_work_order_id" bigint,
	"owner" text,
	"lease_expires_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"acquired_at" timestamp with time zone,
	"locked_by" text,
	"manual_reason" text,
	CONSTRAINT "environment_locks_repo_app_env_uq" UNIQUE("repo_full_name","app","environment")
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "environments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"name" text NOT NULL,
	"production" boolean DEFAULT false NOT NULL,
	"approvals_needed" integer DEFAULT 1 NOT NULL,
	"approvers" text[] DEFAULT '{}'::text[] NOT NULL,
	"hosts" text[] DEFAULT '{}'::text[] NOT NULL,
	"freeze" text[] DEFAULT '{}'::text[] NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "environments_repo_app_name_uq" UNIQUE("repo_full_name","app","name"),
	CONSTRAINT "environments_approvals_needed_ck" CHECK ("environments"."approvals_needed" >= 0)
);
--> statement-breakpoint
CREATE TABLE "host_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "host_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"release_id" text NOT NULL,
	"host" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"outcome" text NOT NULL,
	"previous_version" text,
	"failure" jsonb,
	"duration_ms" integer NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "host_runs_release_host_attempt_uq" UNIQUE("release_id","host","attempt"),
	CONSTRAINT "host_runs_outcome_ck" CHECK ("host_runs"."outcome" in ('released', 'unchanged', 'failed', 'rolled_back', 'aborted', 'untouched'))
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hosts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"name" text NOT NULL,
	"groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"address" text NOT NULL,
	"port" integer DEFAULT 22 NOT NULL,
	"user" text,
	"host_key" text,
	"deploy_to" text,
	"executor" text DEFAULT 'ssh' NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hosts_repo_name_uq" UNIQUE("repo_full_name","name"),
	CONSTRAINT "hosts_executor_ck" CHECK ("hosts"."executor" in ('ssh', 'local'))
);
--> statement-breakpoint
CREATE TABLE "plan_versions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "plan_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"work_order_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"comment_id" bigint,
	"author" text NOT NULL,
	"yaml" text NOT NULL,
	"plan" jsonb NOT NULL,
	"digest" text NOT NULL,
	"commit_sha" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_versions_order_seq_uq" UNIQUE("work_order_id","seq")
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "releases_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"work_order_id" bigint,
	"release_id" text NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"version" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "releases_release_id_uq" UNIQUE("release_id"),
	CONSTRAINT "releases_status_ck" CHECK ("releases"."status" in ('queued', 'running', 'succeeded', 'partial', 'failed', 'aborted'))
);
--> statement-breakpoint
CREATE TABLE "stage_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stage_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"release_id" text NOT NULL,
	"host" text NOT NULL,
	"stage" text NOT NULL,
	"result" text NOT NULL,
	"duration_ms" integer,
	"exit_code" integer,
	"message" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stage_events_stage_ck" CHECK ("stage_events"."stage" in ('check', 'fetch', 'pre_deploy', 'switch', 'post_deploy', 'health', 'release', 'monitor', 'done', 'rollback')),
	CONSTRAINT "stage_events_result_ck" CHECK ("stage_events"."result" in ('started', 'ok', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"handled_at" timestamp with time zone,
	"status" text DEFAULT 'received' NOT NULL,
	"error" text,
	CONSTRAINT "webhook_deliveries_delivery_id_uq" UNIQUE("delivery_id"),
	CONSTRAINT "webhook_deliveries_status_ck" CHECK ("webhook_deliveries"."status" in ('received', 'handled', 'failed', 'ignored'))
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "work_orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"repo_full_name" text NOT NULL,
	"installation_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"app" text,
	"environment" text,
	"requester" text NOT NULL,
	"plan_author" text,
	"deployer" text,
	"acceptor" text,
	"requirement" text,
	"scheduled_at" timestamp with time zone,
	"head_sha" text,
	"start_job_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "work_orders_kind_ck" CHECK ("work_orders"."kind" in ('issue', 'pull_request')),
	CONSTRAINT "work_orders_state_ck" CHECK ("work_orders"."state" in ('requested', 'planned', 'approved', 'scheduled', 'running', 'succeeded', 'accepted', 'rejected', 'failed', 'aborted', 'cancelled')),
	CONSTRAINT "work_orders_pr_environment_ck" CHECK ("work_orders"."kind" <> 'pull_request' or "work_orders"."environment" is not null)
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environment_lock_waiters" ADD CONSTRAINT "environment_lock_waiters_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environment_locks" ADD CONSTRAINT "environment_locks_holder_work_order_id_work_orders_id_fk" FOREIGN KEY ("holder_work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_app_fk" FOREIGN KEY ("repo_full_name","app") REFERENCES "public"."apps"("repo_full_name","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_runs" ADD CONSTRAINT "host_runs_release_id_releases_release_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("release_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD CONSTRAINT "plan_versions_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_events" ADD CONSTRAINT "stage_events_release_id_releases_release_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("release_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approvals_order_digest_idx" ON "approvals" USING btree ("work_order_id","digest");--> statement-breakpoint
CREATE INDEX "audit_log_work_order_idx" ON "audit_log" USING btree ("work_order_id","id");--> statement-breakpoint
CREATE INDEX "environment_lock_waiters_env_idx" ON "environment_lock_waiters" USING btree ("repo_full_name","app","environment","id");--> statement-breakpoint
CREATE INDEX "plan_versions_digest_idx" ON "plan_versions" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "releases_work_order_idx" ON "releases" USING btree ("work_order_id");--> statement-breakpoint
CREATE INDEX "releases_app_env_idx" ON "releases" USING btree ("repo_full_name","app","environment","created_at");--> statement-breakpoint
CREATE INDEX "stage_events_release_idx" ON "stage_events" USING btree ("release_id","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_at_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_issue_uq" ON "work_orders" USING btree ("repo_full_name","number") WHERE "work_orders"."kind" = 'issue';--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_pr_open_uq" ON "work_orders" USING btree ("repo_full_name","number","environment") WHERE "work_orders"."kind" = 'pull_request' and "work_orders"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "work_orders_repo_number_idx" ON "work_orders" USING btree ("repo_full_name","number");--> statement-breakpoint
CREATE INDEX "work_orders_state_idx" ON "work_orders" USING btree ("state");--> statement-breakpoint
CREATE INDEX "work_orders_app_env_idx" ON "work_orders" USING btree ("repo_full_name","app","environment");