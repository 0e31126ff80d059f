ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_status_ck";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "installation_id" bigint;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "subject_key" text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "payload" jsonb;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_unhandled_idx" ON "webhook_deliveries" USING btree ("id") WHERE "webhook_deliveries"."status" in ('received', 'handling');--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_status_ck" CHECK ("webhook_deliveries"."status" in ('received', 'handling', 'handled', 'failed', 'ignored'));