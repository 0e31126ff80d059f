CREATE TABLE "person_day_counts" (
	"day" date NOT NULL,
	"repo_full_name" text NOT NULL,
	"person" text NOT NULL,
	"kind" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "person_day_counts_pk" PRIMARY KEY("day","repo_full_name","person","kind")
);
--> statement-breakpoint
CREATE FUNCTION "person_day_counts_bump"(p_at timestamptz, p_repo text, p_person text, p_kind text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_at IS NULL OR p_repo IS NULL OR p_person IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO "person_day_counts" ("day", "repo_full_name", "person", "kind", "n")
  VALUES ((p_at AT TIME ZONE 'UTC')::date, p_repo, p_person, p_kind, p_delta)
  ON CONFLICT ON CONSTRAINT "person_day_counts_pk" DO UPDATE SET "n" = "person_day_counts"."n" + p_delta;
END;
$$;
--> statement-breakpoint
-- Orders requested: counted when opened; a change of requester, repository or opening time moves the count.
CREATE FUNCTION "person_day_counts_orders"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.requester = NEW.requester AND OLD.repo_full_name = NEW.repo_full_name AND OLD.created_at = NEW.created_at THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "person_day_counts_bump"(OLD.created_at, OLD.repo_full_name, OLD.requester, 'requested', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "person_day_counts_bump"(NEW.created_at, NEW.repo_full_name, NEW.requester, 'requested', 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Plan versions authored and approvals given: rows that are only ever inserted.
CREATE FUNCTION "person_day_counts_plans"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "person_day_counts_bump"(NEW.created_at, (SELECT w."repo_full_name" FROM "work_orders" w WHERE w."id" = NEW.work_order_id), NEW.author, 'authored', 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "person_day_counts_approvals"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.verdict = 'approved' THEN
    PERFORM "person_day_counts_bump"(NEW.created_at, (SELECT w."repo_full_name" FROM "work_orders" w WHERE w."id" = NEW.work_order_id), NEW.actor, 'approved', 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Releases deployed: a finished release of an order counts for the order's deployer on its finish day; a retry
-- un-finishes and finishes it again, moving the count.
CREATE FUNCTION "person_day_counts_releases"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  finished text[] := ARRAY['succeeded', 'partial', 'failed', 'aborted'];
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.finished_at IS NOT DISTINCT FROM NEW.finished_at
     AND OLD.work_order_id IS NOT DISTINCT FROM NEW.work_order_id AND OLD.repo_full_name = NEW.repo_full_name THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.finished_at IS NOT NULL AND OLD.status = ANY (finished) AND OLD.work_order_id IS NOT NULL THEN
    PERFORM "person_day_counts_bump"(OLD.finished_at, OLD.repo_full_name, (SELECT w."deployer" FROM "work_orders" w WHERE w."id" = OLD.work_order_id), 'deployed', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.finished_at IS NOT NULL AND NEW.status = ANY (finished) AND NEW.work_order_id IS NOT NULL THEN
    PERFORM "person_day_counts_bump"(NEW.finished_at, NEW.repo_full_name, (SELECT w."deployer" FROM "work_orders" w WHERE w."id" = NEW.work_order_id), 'deployed', 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "work_orders_person_day_counts" AFTER INSERT OR UPDATE OR DELETE ON "work_orders" FOR EACH ROW EXECUTE FUNCTION "person_day_counts_orders"();
--> statement-breakpoint
CREATE TRIGGER "plan_versions_person_day_counts" AFTER INSERT ON "plan_versions" FOR EACH ROW EXECUTE FUNCTION "person_day_counts_plans"();
--> statement-breakpoint
CREATE TRIGGER "approvals_person_day_counts" AFTER INSERT ON "approvals" FOR EACH ROW EXECUTE FUNCTION "person_day_counts_approvals"();
--> statement-breakpoint
CREATE TRIGGER "releases_person_day_counts" AFTER INSERT OR UPDATE OR DELETE ON "releases" FOR EACH ROW EXECUTE FUNCTION "person_day_counts_releases"();
--> statement-breakpoint
INSERT INTO "person_day_counts" ("day", "repo_full_name", "person", "kind", "n")
SELECT day, repo, person, kind, count(*)::int FROM (
  SELECT ("created_at" AT TIME ZONE 'UTC')::date AS day, "repo_full_name" AS repo, "requester" AS person, 'requested' AS kind FROM "work_orders"
  UNION ALL
  SELECT (p."created_at" AT TIME ZONE 'UTC')::date, w."repo_full_name", p."author", 'authored' FROM "plan_versions" p JOIN "work_orders" w ON w."id" = p."work_order_id"
  UNION ALL
  SELECT (a."created_at" AT TIME ZONE 'UTC')::date, w."repo_full_name", a."actor", 'approved' FROM "approvals" a JOIN "work_orders" w ON w."id" = a."work_order_id" WHERE a."verdict" = 'approved'
  UNION ALL
  SELECT (r."finished_at" AT TIME ZONE 'UTC')::date, r."repo_full_name", w."deployer", 'deployed' FROM "releases" r JOIN "work_orders" w ON w."id" = r."work_order_id"
  WHERE r."finished_at" IS NOT NULL AND r."status" IN ('succeeded', 'partial', 'failed', 'aborted') AND w."deployer" IS NOT NULL
) facts
GROUP BY 1, 2, 3, 4;
