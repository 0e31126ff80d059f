-- The audit log is append-only: rows are evidence, so no role that runs this app may change or remove one.
-- A superuser can still disable the trigger; the hash chain (src/db/audit-log.ts) is what makes that visible.
CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'append a new row that corrects the record instead';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_refuse_update_delete"
  BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_refuse_truncate"
  BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
