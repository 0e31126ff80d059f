CREATE TABLE "approval_wait_buckets" (
	"day" date NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"bucket" integer NOT NULL,
	"n" integer NOT NULL,
	"total_ms" double precision NOT NULL,
	CONSTRAINT "approval_wait_buckets_pk" PRIMARY KEY("day","repo_full_name","app","environment","bucket")
);
--> statement-breakpoint
CREATE TABLE "order_outcome_day_counts" (
	"day" date NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"outcome" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "order_outcome_day_counts_pk" PRIMARY KEY("day","repo_full_name","app","environment","outcome")
);
--> statement-breakpoint
CREATE TABLE "person_scope_day_counts" (
	"day" date NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"person" text NOT NULL,
	"kind" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "person_scope_day_counts_pk" PRIMARY KEY("day","repo_full_name","app","environment","person","kind")
);
--> statement-breakpoint
CREATE TABLE "restore_incidents" (
	"failed_release_id" bigint PRIMARY KEY NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"restored_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "person_scope_day_counts_app_idx" ON "person_scope_day_counts" USING btree ("repo_full_name","app","day","environment","person","kind","n");--> statement-breakpoint
CREATE INDEX "restore_incidents_key_idx" ON "restore_incidents" USING btree ("repo_full_name","app","environment","failed_at");--> statement-breakpoint
CREATE INDEX "restore_incidents_failed_at_idx" ON "restore_incidents" USING btree ("failed_at");--> statement-breakpoint
CREATE INDEX "audit_log_transition_at_idx" ON "audit_log" USING btree ("at") WHERE "audit_log"."action" = 'work_order.transition';--> statement-breakpoint
-- person_day_counts' triggers of 0015 counted plans and approvals on insert only and a release for the deployer
-- named when it finished; the triggers below keep it instead, with person_scope_day_counts (its rows per app and
-- environment, '' for none): every change of a counted row or of its order moves the counts in both.
DROP TRIGGER "work_orders_person_day_counts" ON "work_orders";
--> statement-breakpoint
DROP TRIGGER "plan_versions_person_day_counts" ON "plan_versions";
--> statement-breakpoint
DROP TRIGGER "approvals_person_day_counts" ON "approvals";
--> statement-breakpoint
DROP TRIGGER "releases_person_day_counts" ON "releases";
--> statement-breakpoint
DROP FUNCTION "person_day_counts_orders"();
--> statement-breakpoint
DROP FUNCTION "person_day_counts_plans"();
--> statement-breakpoint
DROP FUNCTION "person_day_counts_approvals"();
--> statement-breakpoint
DROP FUNCTION "person_day_counts_releases"();
--> statement-breakpoint
CREATE FUNCTION "person_scope_day_counts_bump"(p_at timestamptz, p_repo text, p_app text, p_environment text, p_person text, p_kind text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_at IS NULL OR p_repo IS NULL OR p_person IS NULL THEN
    RETURN;
  END IF;
  PERFORM "person_day_counts_bump"(p_at, p_repo, p_person, p_kind, p_delta);
  INSERT INTO "person_scope_day_counts" ("day", "repo_full_name", "app", "environment", "person", "kind", "n")
  VALUES ((p_at AT TIME ZONE 'UTC')::date, p_repo, coalesce(p_app, ''), coalesce(p_environment, ''), p_person, p_kind, p_delta)
  ON CONFLICT ON CONSTRAINT "person_scope_day_counts_pk" DO UPDATE SET "n" = "person_scope_day_counts"."n" + p_delta;
END;
$$;
--> statement-breakpoint
-- approval_wait_buckets: bucket 0 for waits under 1 ms, else 1 + floor(16 · log2(ms)).
CREATE FUNCTION "approval_wait_buckets_bump"(p_created timestamptz, p_reached timestamptz, p_repo text, p_app text, p_environment text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  ms float8;
BEGIN
  IF p_created IS NULL OR p_reached IS NULL OR p_repo IS NULL THEN
    RETURN;
  END IF;
  ms := (extract(epoch from (p_reached - p_created)) * 1000)::float8;
  INSERT INTO "approval_wait_buckets" ("day", "repo_full_name", "app", "environment", "bucket", "n", "total_ms")
  VALUES ((p_reached AT TIME ZONE 'UTC')::date, p_repo, coalesce(p_app, ''), coalesce(p_environment, ''),
    CASE WHEN ms < 1 THEN 0 ELSE 1 + floor(16 * log(2::numeric, ms::numeric))::int END, p_delta, p_delta * ms)
  ON CONFLICT ON CONSTRAINT "approval_wait_buckets_pk" DO UPDATE
    SET "n" = "approval_wait_buckets"."n" + p_delta, "total_ms" = "approval_wait_buckets"."total_ms" + p_delta * ms;
END;
$$;
--> statement-breakpoint
-- order_outcome_day_counts: the outcome a state change reaches (src/web/stats/orders-by-outcome.ts), or null.
CREATE FUNCTION "order_outcome_of"(p_to_state text, p_cause text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_to_state IN ('rejected', 'succeeded', 'accepted') THEN p_to_state
    WHEN p_to_state = 'failed' AND p_cause = 'rollback-finished' THEN 'rolled_back'
    WHEN p_to_state = 'failed' THEN 'failed'
  END
$$;
--> statement-breakpoint
CREATE FUNCTION "order_outcome_day_counts_bump"(p_at timestamptz, p_repo text, p_app text, p_environment text, p_outcome text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_at IS NULL OR p_repo IS NULL OR p_outcome IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO "order_outcome_day_counts" ("day", "repo_full_name", "app", "environment", "outcome", "n")
  VALUES ((p_at AT TIME ZONE 'UTC')::date, p_repo, coalesce(p_app, ''), coalesce(p_environment, ''), p_outcome, p_delta)
  ON CONFLICT ON CONSTRAINT "order_outcome_day_counts_pk" DO UPDATE SET "n" = "order_outcome_day_counts"."n" + p_delta;
END;
$$;
--> statement-breakpoint
-- The audit log is append-only: a state change of an order counts once, in the order's scope when it is written.
CREATE FUNCTION "stats_rollups_audit"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  IF NEW.action <> 'work_order.transition' OR NEW.work_order_id IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT o."repo_full_name", o."app", o."environment" INTO w FROM "work_orders" o WHERE o."id" = NEW.work_order_id;
  PERFORM "order_outcome_day_counts_bump"(NEW.at, w.repo_full_name, w.app, w.environment,
    "order_outcome_of"(NEW.to_state, NEW.data->>'cause'), 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- An order's requester counts on its created_at in its scope (and the order as requested). A change of its
-- repository, app or environment moves its plans, approvals, approval waits and outcomes (counted in its scope); a change of deployer moves its finished
-- releases to the new deployer (the statistic names the order's deployer as it is now).
CREATE FUNCTION "stats_rollups_orders"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  finished text[] := ARRAY['succeeded', 'partial', 'failed', 'aborted'];
  moved boolean;
  r record;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR OLD.requester IS DISTINCT FROM NEW.requester
      OR OLD.repo_full_name IS DISTINCT FROM NEW.repo_full_name OR OLD.app IS DISTINCT FROM NEW.app
      OR OLD.environment IS DISTINCT FROM NEW.environment OR OLD.created_at IS DISTINCT FROM NEW.created_at) THEN
    PERFORM "person_scope_day_counts_bump"(OLD.created_at, OLD.repo_full_name, OLD.app, OLD.environment, OLD.requester, 'requested', -1);
    PERFORM "order_outcome_day_counts_bump"(OLD.created_at, OLD.repo_full_name, OLD.app, OLD.environment, 'requested', -1);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.requester IS DISTINCT FROM NEW.requester
      OR OLD.repo_full_name IS DISTINCT FROM NEW.repo_full_name OR OLD.app IS DISTINCT FROM NEW.app
      OR OLD.environment IS DISTINCT FROM NEW.environment OR OLD.created_at IS DISTINCT FROM NEW.created_at)) THEN
    PERFORM "person_scope_day_counts_bump"(NEW.created_at, NEW.repo_full_name, NEW.app, NEW.environment, NEW.requester, 'requested', 1);
    PERFORM "order_outcome_day_counts_bump"(NEW.created_at, NEW.repo_full_name, NEW.app, NEW.environment, 'requested', 1);
  END IF;
  IF TG_OP <> 'UPDATE' THEN
    RETURN NULL;
  END IF;
  moved := OLD.repo_full_name IS DISTINCT FROM NEW.repo_full_name OR OLD.app IS DISTINCT FROM NEW.app
    OR OLD.environment IS DISTINCT FROM NEW.environment;
  IF moved THEN
    FOR r IN SELECT p."created_at", p."author", p."quorum_reached_at" FROM "plan_versions" p WHERE p."work_order_id" = NEW.id LOOP
      PERFORM "person_scope_day_counts_bump"(r.created_at, OLD.repo_full_name, OLD.app, OLD.environment, r.author, 'authored', -1);
      PERFORM "person_scope_day_counts_bump"(r.created_at, NEW.repo_full_name, NEW.app, NEW.environment, r.author, 'authored', 1);
      PERFORM "approval_wait_buckets_bump"(r.created_at, r.quorum_reached_at, OLD.repo_full_name, OLD.app, OLD.environment, -1);
      PERFORM "approval_wait_buckets_bump"(r.created_at, r.quorum_reached_at, NEW.repo_full_name, NEW.app, NEW.environment, 1);
    END LOOP;
    FOR r IN SELECT l."at", "order_outcome_of"(l."to_state", l."data"->>'cause') AS outcome FROM "audit_log" l
        WHERE l."work_order_id" = NEW.id AND l."action" = 'work_order.transition' LOOP
      PERFORM "order_outcome_day_counts_bump"(r.at, OLD.repo_full_name, OLD.app, OLD.environment, r.outcome, -1);
      PERFORM "order_outcome_day_counts_bump"(r.at, NEW.repo_full_name, NEW.app, NEW.environment, r.outcome, 1);
    END LOOP;
    FOR r IN SELECT a."created_at", a."actor" FROM "approvals" a WHERE a."work_order_id" = NEW.id AND a."verdict" = 'approved' LOOP
      PERFORM "person_scope_day_counts_bump"(r.created_at, OLD.repo_full_name, OLD.app, OLD.environment, r.actor, 'approved', -1);
      PERFORM "person_scope_day_counts_bump"(r.created_at, NEW.repo_full_name, NEW.app, NEW.environment, r.actor, 'approved', 1);
    END LOOP;
  END IF;
  IF OLD.deployer IS DISTINCT FROM NEW.deployer THEN
    FOR r IN SELECT x."finished_at", x."repo_full_name", x."app", x."environment" FROM "releases" x
        WHERE x."work_order_id" = NEW.id AND x."finished_at" IS NOT NULL AND x."status" = ANY (finished) LOOP
      PERFORM "person_scope_day_counts_bump"(r.finished_at, r.repo_full_name, r.app, r.environment, OLD.deployer, 'deployed', -1);
      PERFORM "person_scope_day_counts_bump"(r.finished_at, r.repo_full_name, r.app, r.environment, NEW.deployer, 'deployed', 1);
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A plan version counts for its author on its created_at, and its approval wait on its quorum_reached_at, both in
-- its order's scope; an update of either time, the author or the order moves them.
CREATE FUNCTION "stats_rollups_plans"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.work_order_id IS NOT DISTINCT FROM NEW.work_order_id AND OLD.author IS NOT DISTINCT FROM NEW.author
     AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at AND OLD.quorum_reached_at IS NOT DISTINCT FROM NEW.quorum_reached_at THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT o."repo_full_name", o."app", o."environment" INTO w FROM "work_orders" o WHERE o."id" = OLD.work_order_id;
    PERFORM "person_scope_day_counts_bump"(OLD.created_at, w.repo_full_name, w.app, w.environment, OLD.author, 'authored', -1);
    PERFORM "approval_wait_buckets_bump"(OLD.created_at, OLD.quorum_reached_at, w.repo_full_name, w.app, w.environment, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT o."repo_full_name", o."app", o."environment" INTO w FROM "work_orders" o WHERE o."id" = NEW.work_order_id;
    PERFORM "person_scope_day_counts_bump"(NEW.created_at, w.repo_full_name, w.app, w.environment, NEW.author, 'authored', 1);
    PERFORM "approval_wait_buckets_bump"(NEW.created_at, NEW.quorum_reached_at, w.repo_full_name, w.app, w.environment, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "stats_rollups_approvals"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.work_order_id IS NOT DISTINCT FROM NEW.work_order_id AND OLD.actor IS NOT DISTINCT FROM NEW.actor
     AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at AND OLD.verdict IS NOT DISTINCT FROM NEW.verdict THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.verdict = 'approved' THEN
    SELECT o."repo_full_name", o."app", o."environment" INTO w FROM "work_orders" o WHERE o."id" = OLD.work_order_id;
    PERFORM "person_scope_day_counts_bump"(OLD.created_at, w.repo_full_name, w.app, w.environment, OLD.actor, 'approved', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.verdict = 'approved' THEN
    SELECT o."repo_full_name", o."app", o."environment" INTO w FROM "work_orders" o WHERE o."id" = NEW.work_order_id;
    PERFORM "person_scope_day_counts_bump"(NEW.created_at, w.repo_full_name, w.app, w.environment, NEW.actor, 'approved', 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- (Both lookups order as releases_timeline_idx does, DESC NULLS LAST or its reverse, to walk it from the change.)
-- Recomputes the failure streaks of one app + environment between the last success before the change and the first
-- success after it (positions (finished_at, id) from p_from to p_to): a streak that began before that success ended
-- at or before it, one that begins after the next success sees neither the change nor anything before it. Same
-- rules as the row query (src/web/stats/time-to-restore.ts): ordered by (finished_at, id), aborted releases left
-- out, an incident is the first failure (failed or partial) after a success or of all time.
CREATE FUNCTION "restore_incidents_refresh"(p_repo text, p_app text, p_environment text, p_from_at timestamptz, p_from_id bigint, p_to_at timestamptz, p_to_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  anchor_at timestamptz;
  anchor_id bigint;
  end_at timestamptz;
  end_id bigint;
BEGIN
  SELECT x."finished_at", x."id" INTO anchor_at, anchor_id FROM "releases" x
  WHERE x."repo_full_name" = p_repo AND x."app" = p_app AND x."environment" = p_environment
    AND x."status" = 'succeeded' AND x."finished_at" <= p_from_at AND (x."finished_at", x."id") < (p_from_at, p_from_id)
  ORDER BY x."finished_at" DESC NULLS LAST, x."id" DESC NULLS LAST LIMIT 1;
  SELECT x."finished_at", x."id" INTO end_at, end_id FROM "releases" x
  WHERE x."repo_full_name" = p_repo AND x."app" = p_app AND x."environment" = p_environment
    AND x."status" = 'succeeded' AND x."finished_at" >= p_to_at AND (x."finished_at", x."id") > (p_to_at, p_to_id)
  ORDER BY x."finished_at" NULLS FIRST, x."id" NULLS FIRST LIMIT 1;
  DELETE FROM "restore_incidents" i
  WHERE i."repo_full_name" = p_repo AND i."app" = p_app AND i."environment" = p_environment
    AND i."failed_at" >= coalesce(anchor_at, '-infinity') AND i."failed_at" <= coalesce(end_at, 'infinity')
    AND (anchor_at IS NULL OR (i."failed_at", i."failed_release_id") > (anchor_at, anchor_id))
    AND (end_at IS NULL OR (i."failed_at", i."failed_release_id") < (end_at, end_id));
  INSERT INTO "restore_incidents" ("failed_release_id", "repo_full_name", "app", "environment", "failed_at", "restored_at")
  SELECT t.id, p_repo, p_app, p_environment, t.finished_at, t.restored_at
  FROM (
    SELECT x."id", x."status", x."finished_at",
      lag(x."status") OVER (ORDER BY x."finished_at", x."id") AS previous_status,
      min(CASE WHEN x."status" = 'succeeded' THEN x."finished_at" END) OVER (ORDER BY x."finished_at" DESC, x."id" DESC) AS restored_at
    FROM "releases" x
    WHERE x."repo_full_name" = p_repo AND x."app" = p_app AND x."environment" = p_environment
      AND x."finished_at" IS NOT NULL AND x."status" IN ('succeeded', 'failed', 'partial')
      AND x."finished_at" >= coalesce(anchor_at, '-infinity') AND x."finished_at" <= coalesce(end_at, 'infinity')
      AND (anchor_at IS NULL OR (x."finished_at", x."id") > (anchor_at, anchor_id))
      AND (end_at IS NULL OR (x."finished_at", x."id") <= (end_at, end_id))
  ) t
  WHERE t.status IN ('failed', 'partial') AND (t.previous_status IS NULL OR t.previous_status NOT IN ('failed', 'partial'));
END;
$$;
--> statement-breakpoint
-- Releases: a finished release counts for its order's deployer on its finish day, in the release's scope; a release
-- that enters, leaves or moves within the restore timeline (succeeded, failed, partial with a finish) recomputes its
-- app + environment's streaks from before its old and new place.
CREATE FUNCTION "stats_rollups_releases"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  finished text[] := ARRAY['succeeded', 'partial', 'failed', 'aborted'];
  timeline text[] := ARRAY['succeeded', 'partial', 'failed'];
  old_in boolean := false;
  new_in boolean := false;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.finished_at IS NOT DISTINCT FROM NEW.finished_at
     AND OLD.work_order_id IS NOT DISTINCT FROM NEW.work_order_id AND OLD.repo_full_name = NEW.repo_full_name
     AND OLD.app = NEW.app AND OLD.environment = NEW.environment AND OLD.id = NEW.id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.finished_at IS NOT NULL AND OLD.status = ANY (finished) AND OLD.work_order_id IS NOT NULL THEN
      PERFORM "person_scope_day_counts_bump"(OLD.finished_at, OLD.repo_full_name, OLD.app, OLD.environment,
        (SELECT w."deployer" FROM "work_orders" w WHERE w."id" = OLD.work_order_id), 'deployed', -1);
    END IF;
    old_in := OLD.finished_at IS NOT NULL AND OLD.status = ANY (timeline);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.finished_at IS NOT NULL AND NEW.status = ANY (finished) AND NEW.work_order_id IS NOT NULL THEN
      PERFORM "person_scope_day_counts_bump"(NEW.finished_at, NEW.repo_full_name, NEW.app, NEW.environment,
        (SELECT w."deployer" FROM "work_orders" w WHERE w."id" = NEW.work_order_id), 'deployed', 1);
    END IF;
    new_in := NEW.finished_at IS NOT NULL AND NEW.status = ANY (timeline);
  END IF;
  IF old_in AND new_in AND OLD.repo_full_name = NEW.repo_full_name AND OLD.app = NEW.app AND OLD.environment = NEW.environment THEN
    IF (OLD.finished_at, OLD.id) < (NEW.finished_at, NEW.id) THEN
      PERFORM "restore_incidents_refresh"(NEW.repo_full_name, NEW.app, NEW.environment, OLD.finished_at, OLD.id, NEW.finished_at, NEW.id);
    ELSE
      PERFORM "restore_incidents_refresh"(NEW.repo_full_name, NEW.app, NEW.environment, NEW.finished_at, NEW.id, OLD.finished_at, OLD.id);
    END IF;
  ELSE
    IF old_in THEN
      PERFORM "restore_incidents_refresh"(OLD.repo_full_name, OLD.app, OLD.environment, OLD.finished_at, OLD.id, OLD.finished_at, OLD.id);
    END IF;
    IF new_in THEN
      PERFORM "restore_incidents_refresh"(NEW.repo_full_name, NEW.app, NEW.environment, NEW.finished_at, NEW.id, NEW.finished_at, NEW.id);
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "work_orders_stats_rollups" AFTER INSERT OR UPDATE OR DELETE ON "work_orders" FOR EACH ROW EXECUTE FUNCTION "stats_rollups_orders"();
--> statement-breakpoint
CREATE TRIGGER "plan_versions_stats_rollups" AFTER INSERT OR UPDATE OR DELETE ON "plan_versions" FOR EACH ROW EXECUTE FUNCTION "stats_rollups_plans"();
--> statement-breakpoint
CREATE TRIGGER "approvals_stats_rollups" AFTER INSERT OR UPDATE OR DELETE ON "approvals" FOR EACH ROW EXECUTE FUNCTION "stats_rollups_approvals"();
--> statement-breakpoint
CREATE TRIGGER "releases_stats_rollups" AFTER INSERT OR UPDATE OR DELETE ON "releases" FOR EACH ROW EXECUTE FUNCTION "stats_rollups_releases"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_stats_rollups" AFTER INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "stats_rollups_audit"();
--> statement-breakpoint
INSERT INTO "person_scope_day_counts" ("day", "repo_full_name", "app", "environment", "person", "kind", "n")
SELECT day, repo, app, environment, person, kind, count(*)::int FROM (
  SELECT ("created_at" AT TIME ZONE 'UTC')::date AS day, "repo_full_name" AS repo, coalesce("app", '') AS app, coalesce("environment", '') AS environment, "requester" AS person, 'requested' AS kind FROM "work_orders"
  UNION ALL
  SELECT (p."created_at" AT TIME ZONE 'UTC')::date, w."repo_full_name", coalesce(w."app", ''), coalesce(w."environment", ''), p."author", 'authored' FROM "plan_versions" p JOIN "work_orders" w ON w."id" = p."work_order_id"
  UNION ALL
  SELECT (a."created_at" AT TIME ZONE 'UTC')::date, w."repo_full_name", coalesce(w."app", ''), coalesce(w."environment", ''), a."actor", 'approved' FROM "approvals" a JOIN "work_orders" w ON w."id" = a."work_order_id" WHERE a."verdict" = 'approved'
  UNION ALL
  SELECT (r."finished_at" AT TIME ZONE 'UTC')::date, r."repo_full_name", r."app", r."environment", w."deployer", 'deployed' FROM "releases" r JOIN "work_orders" w ON w."id" = r."work_order_id"
  WHERE r."finished_at" IS NOT NULL AND r."status" IN ('succeeded', 'partial', 'failed', 'aborted') AND w."deployer" IS NOT NULL
) facts
WHERE person IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO "order_outcome_day_counts" ("day", "repo_full_name", "app", "environment", "outcome", "n")
SELECT day, repo, app, environment, outcome, count(*)::int FROM (
  SELECT ("created_at" AT TIME ZONE 'UTC')::date AS day, "repo_full_name" AS repo, coalesce("app", '') AS app, coalesce("environment", '') AS environment, 'requested' AS outcome FROM "work_orders"
  UNION ALL
  SELECT (l."at" AT TIME ZONE 'UTC')::date, w."repo_full_name", coalesce(w."app", ''), coalesce(w."environment", ''), "order_outcome_of"(l."to_state", l."data"->>'cause')
  FROM "audit_log" l JOIN "work_orders" w ON w."id" = l."work_order_id" WHERE l."action" = 'work_order.transition'
) facts
WHERE outcome IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
DELETE FROM "person_day_counts";
--> statement-breakpoint
INSERT INTO "person_day_counts" ("day", "repo_full_name", "person", "kind", "n")
SELECT "day", "repo_full_name", "person", "kind", sum("n")::int FROM "person_scope_day_counts" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "approval_wait_buckets" ("day", "repo_full_name", "app", "environment", "bucket", "n", "total_ms")
SELECT (reached AT TIME ZONE 'UTC')::date, repo, app, environment,
  CASE WHEN ms < 1 THEN 0 ELSE 1 + floor(16 * log(2::numeric, ms::numeric))::int END, count(*)::int, sum(ms)
FROM (
  SELECT p."quorum_reached_at" AS reached, w."repo_full_name" AS repo, coalesce(w."app", '') AS app, coalesce(w."environment", '') AS environment,
    (extract(epoch from (p."quorum_reached_at" - p."created_at")) * 1000)::float8 AS ms
  FROM "plan_versions" p JOIN "work_orders" w ON w."id" = p."work_order_id"
  WHERE p."quorum_reached_at" IS NOT NULL
) waits
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "restore_incidents" ("failed_release_id", "repo_full_name", "app", "environment", "failed_at", "restored_at")
SELECT t.id, t.repo_full_name, t.app, t.environment, t.finished_at, t.restored_at
FROM (
  SELECT x."id", x."repo_full_name", x."app", x."environment", x."status", x."finished_at",
    lag(x."status") OVER (PARTITION BY x."repo_full_name", x."app", x."environment" ORDER BY x."finished_at", x."id") AS previous_status,
    min(CASE WHEN x."status" = 'succeeded' THEN x."finished_at" END) OVER (PARTITION BY x."repo_full_name", x."app", x."environment" ORDER BY x."finished_at" DESC, x."id" DESC) AS restored_at
  FROM "releases" x
  WHERE x."finished_at" IS NOT NULL AND x."status" IN ('succeeded', 'failed', 'partial')
) t
WHERE t.status IN ('failed', 'partial') AND (t.previous_status IS NULL OR t.previous_status NOT IN ('failed', 'partial'));
