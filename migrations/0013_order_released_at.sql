ALTER TABLE "work_orders" ADD COLUMN "released_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "work_orders_released_at_idx" ON "work_orders" USING btree ("released_at");--> statement-breakpoint
-- Orders released before this column existed: their first succeeded release.
UPDATE "work_orders" w SET "released_at" = r.at
FROM (SELECT "work_order_id", min("finished_at") AS at FROM "releases" WHERE "status" = 'succeeded' AND "work_order_id" IS NOT NULL GROUP BY 1) r
WHERE r."work_order_id" = w."id";
