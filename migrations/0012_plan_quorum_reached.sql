ALTER TABLE "plan_versions" ADD COLUMN "quorum_reached_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "plan_versions_quorum_reached_idx" ON "plan_versions" USING btree ("quorum_reached_at");--> statement-breakpoint
-- Plans approved before this column existed: the audit log's quorum-reached transitions name the digest.
-- The stamp goes on the first version with the digest (where the wait began).
UPDATE "plan_versions" p SET "quorum_reached_at" = a.at
FROM (
  SELECT "work_order_id", "data"->>'digest' AS digest, min("at") AS at
  FROM "audit_log"
  WHERE "to_state" = 'approved' AND "data"->>'cause' = 'quorum-reached' AND "data"->>'digest' IS NOT NULL
  GROUP BY 1, 2
) a
WHERE a."work_order_id" = p."work_order_id" AND a.digest = p."digest"
  AND p."id" = (SELECT min(f."id") FROM "plan_versions" f WHERE f."work_order_id" = p."work_order_id" AND f."digest" = p."digest");
