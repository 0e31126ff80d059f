CREATE TABLE "preflight_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "preflight_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"work_order_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"hosts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"message" text,
	"requested_by" text NOT NULL,
	"reply_comment_id" bigint,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "preflight_runs_order_digest_uq" UNIQUE("work_order_id","digest"),
	CONSTRAINT "preflight_runs_status_ck" CHECK ("preflight_runs"."status" in ('pending', 'passed', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "preflight_runs" ADD CONSTRAINT "preflight_runs_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A pre-flight's progress shows live on its order's page (and on pages that follow orders) like the order's other rows.
-- Its own function: dashboard_notify_order reads columns (NEW.data) this table does not have.
CREATE FUNCTION "dashboard_notify_preflight"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('yardmaster_dashboard', 'order:' || NEW.work_order_id::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "preflight_runs_dashboard_notify" AFTER INSERT OR UPDATE ON "preflight_runs" FOR EACH ROW EXECUTE FUNCTION "dashboard_notify_preflight"();
