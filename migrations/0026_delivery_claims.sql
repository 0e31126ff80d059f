CREATE TABLE "delivery_subject_claims" (
	"subject_key" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "periodic_job_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"last_run_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "event_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_subject_unhandled_idx" ON "webhook_deliveries" USING btree ("subject_key","id") WHERE "webhook_deliveries"."status" in ('received', 'handling', 'retrying');