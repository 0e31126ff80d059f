CREATE INDEX "audit_log_release_idx" ON "audit_log" USING btree (("data"->>'releaseId'),"id");--> statement-breakpoint
-- A release without a work order (run from the CLI) has live views too: its row and its audit rows (which name it in
-- `data.releaseId`) send `release:<release id>` besides `order:<id>` for an order's.
CREATE OR REPLACE FUNCTION "dashboard_notify_order"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.work_order_id IS NOT NULL THEN
    PERFORM pg_notify('yardmaster_dashboard', 'order:' || NEW.work_order_id::text);
  END IF;
  IF TG_TABLE_NAME = 'releases' THEN
    PERFORM pg_notify('yardmaster_dashboard', 'release:' || NEW.release_id);
  ELSIF TG_TABLE_NAME = 'audit_log' AND NEW.data ? 'releaseId' THEN
    PERFORM pg_notify('yardmaster_dashboard', 'release:' || (NEW.data->>'releaseId'));
  END IF;
  RETURN NULL;
END;
$$;
