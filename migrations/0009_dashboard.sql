CREATE TABLE "dashboard_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"login" text NOT NULL,
	"github_user_id" bigint NOT NULL,
	"repos" text[] DEFAULT '{}'::text[] NOT NULL,
	"access_token" text,
	"repos_checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_output" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stage_output_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"release_id" text NOT NULL,
	"host" text NOT NULL,
	"stage" text NOT NULL,
	"stream" text NOT NULL,
	"line" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stage_output" ADD CONSTRAINT "stage_output_release_id_releases_release_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("release_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dashboard_sessions_expires_idx" ON "dashboard_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "stage_output_release_idx" ON "stage_output" USING btree ("release_id","id");--> statement-breakpoint
-- The dashboard's live views LISTEN on `yardmaster_dashboard`: `release:<release id>` when a stage event or output
-- line of a release is written, `order:<work order id>` when an order's audit row or release row is. Any process
-- (the server or a `yardmaster worker`) writes them, so triggers rather than code send the notifications.
CREATE FUNCTION "dashboard_notify_release"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('yardmaster_dashboard', 'release:' || NEW.release_id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "dashboard_notify_order"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.work_order_id IS NOT NULL THEN
    PERFORM pg_notify('yardmaster_dashboard', 'order:' || NEW.work_order_id::text);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "stage_events_dashboard_notify" AFTER INSERT ON "stage_events" FOR EACH ROW EXECUTE FUNCTION "dashboard_notify_release"();
--> statement-breakpoint
CREATE TRIGGER "stage_output_dashboard_notify" AFTER INSERT ON "stage_output" FOR EACH ROW EXECUTE FUNCTION "dashboard_notify_release"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_dashboard_notify" AFTER INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "dashboard_notify_order"();
--> statement-breakpoint
CREATE TRIGGER "releases_dashboard_notify" AFTER INSERT OR UPDATE ON "releases" FOR EACH ROW EXECUTE FUNCTION "dashboard_notify_order"();
