-- Metadata an operator keeps on a library instance: a description, an owner and labels (issue 15, "the library,
-- completed"). Bounded here as in src/lanes/instance-metadata.ts; existing rows get empty values.
ALTER TABLE "lane_instances" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "lane_instances" ADD COLUMN "owner" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "lane_instances" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "lane_instances" ADD CONSTRAINT "lane_instances_description_ck" CHECK (char_length("lane_instances"."description") <= 500);--> statement-breakpoint
ALTER TABLE "lane_instances" ADD CONSTRAINT "lane_instances_owner_ck" CHECK (char_length("lane_instances"."owner") <= 100);--> statement-breakpoint
ALTER TABLE "lane_instances" ADD CONSTRAINT "lane_instances_labels_ck" CHECK (jsonb_typeof("lane_instances"."labels") = 'object');