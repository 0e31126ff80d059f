CREATE TABLE "release_day_counts" (
	"day" date NOT NULL,
	"repo_full_name" text NOT NULL,
	"app" text NOT NULL,
	"environment" text NOT NULL,
	"status" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "release_day_counts_pk" PRIMARY KEY("day","repo_full_name","app","environment","status")
);
--> statement-breakpoint
-- Keeps release_day_counts in step with releases: a finished release counts once, on its finished_at's UTC day;
-- an update that changes its status, finish or key moves the count (a retry un-finishes and finishes it again).
CREATE FUNCTION "release_day_counts_track"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  finished text[] := ARRAY['succeeded', 'partial', 'failed', 'aborted'];
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.finished_at IS NOT DISTINCT FROM NEW.finished_at
     AND OLD.repo_full_name = NEW.repo_full_name AND OLD.app = NEW.app AND OLD.environment = NEW.environment THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.finished_at IS NOT NULL AND OLD.status = ANY (finished) THEN
    UPDATE "release_day_counts" SET "n" = "n" - 1
    WHERE "day" = (OLD.finished_at AT TIME ZONE 'UTC')::date AND "repo_full_name" = OLD.repo_full_name
      AND "app" = OLD.app AND "environment" = OLD.environment AND "status" = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.finished_at IS NOT NULL AND NEW.status = ANY (finished) THEN
    INSERT INTO "release_day_counts" ("day", "repo_full_name", "app", "environment", "status", "n")
    VALUES ((NEW.finished_at AT TIME ZONE 'UTC')::date, NEW.repo_full_name, NEW.app, NEW.environment, NEW.status, 1)
    ON CONFLICT ON CONSTRAINT "release_day_counts_pk" DO UPDATE SET "n" = "release_day_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "releases_day_counts" AFTER INSERT OR UPDATE OR DELETE ON "releases" FOR EACH ROW EXECUTE FUNCTION "release_day_counts_track"();
--> statement-breakpoint
INSERT INTO "release_day_counts" ("day", "repo_full_name", "app", "environment", "status", "n")
SELECT ("finished_at" AT TIME ZONE 'UTC')::date, "repo_full_name", "app", "environment", "status", count(*)::int
FROM "releases"
WHERE "finished_at" IS NOT NULL AND "status" IN ('succeeded', 'partial', 'failed', 'aborted')
GROUP BY 1, 2, 3, 4, 5;
