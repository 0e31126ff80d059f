ALTER TABLE "lanes" ADD COLUMN "repo_full_name" text;--> statement-breakpoint
ALTER TABLE "lanes" ADD COLUMN "pull_number" integer;--> statement-breakpoint
CREATE INDEX "lanes_pull_idx" ON "lanes" USING btree ("repo_full_name","pull_number");