CREATE INDEX "approvals_created_at_idx" ON "approvals" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "approvals_quorum_idx" ON "approvals" USING btree ("work_order_id","digest","actor","created_at") WHERE "approvals"."verdict" = 'approved';--> statement-breakpoint
CREATE INDEX "plan_versions_order_digest_idx" ON "plan_versions" USING btree ("work_order_id","digest","created_at");--> statement-breakpoint
CREATE INDEX "releases_finished_at_idx" ON "releases" USING btree ("finished_at");--> statement-breakpoint
CREATE INDEX "releases_timeline_idx" ON "releases" USING btree ("repo_full_name","app","environment","finished_at" DESC NULLS LAST,"id" DESC NULLS LAST,"status");