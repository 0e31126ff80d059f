ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_status_ck";--> statement-breakpoint
DROP INDEX "webhook_deliveries_unhandled_idx";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_unhandled_idx" ON "webhook_deliveries" USING btree ("id") WHERE "webhook_deliveries"."status" in ('received', 'handling', 'retrying');--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_status_ck" CHECK ("webhook_deliveries"."status" in ('received', 'handling', 'handled', 'failed', 'ignored', 'retrying'));