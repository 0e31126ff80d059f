CREATE TABLE "notify_cursor" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_audit_id" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Notifications start from now: history before this version is not announced again.
INSERT INTO "notify_cursor" ("id", "last_audit_id") SELECT 1, coalesce(max("id"), 0) FROM "audit_log";
