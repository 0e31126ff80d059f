-- Lanes opened from a repository move into its namespace, `<owner>/<repo>/<name>` in lower case, so that no
-- repository can name (take over, change or end) another's lane. A pull request's default lane
-- (`<owner>-<repo>-pr-<n>`) becomes `<owner>/<repo>/pr-<n>`, the id a new comment on the pull request computes,
-- unless that repository already has an active lane named `pr-<n>`. Operators' lanes (no repository) keep their names.
UPDATE "lanes" AS l SET "name" = lower(l."repo_full_name") || '/' || CASE
    WHEN l."pull_number" IS NOT NULL
     AND l."name" = rtrim(left(trim(both '-' from regexp_replace(lower(l."repo_full_name"), '[^a-z0-9]+', '-', 'g')), 63 - length('-pr-' || l."pull_number")), '-') || '-pr-' || l."pull_number"
     AND NOT (l."ended_at" IS NULL AND EXISTS (
       SELECT 1 FROM "lanes" AS o WHERE o."repo_full_name" = l."repo_full_name" AND o."name" = 'pr-' || l."pull_number" AND o."ended_at" IS NULL))
    THEN 'pr-' || l."pull_number"
    ELSE l."name"
  END
WHERE l."repo_full_name" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "lanes" ADD CONSTRAINT "lanes_namespace_ck" CHECK (("lanes"."repo_full_name" is null and strpos("lanes"."name", '/') = 0) or ("lanes"."repo_full_name" is not null and starts_with("lanes"."name", lower("lanes"."repo_full_name") || '/')));
