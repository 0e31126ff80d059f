ALTER TABLE "plan_versions" ADD COLUMN "resolved" jsonb;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD COLUMN "source_time" timestamp with time zone;