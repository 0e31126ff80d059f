ALTER TABLE "audit_log" ADD COLUMN "repo" text;--> statement-breakpoint
CREATE INDEX "audit_log_repo_idx" ON "audit_log" USING btree ("repo","id") WHERE "audit_log"."repo" is not null;