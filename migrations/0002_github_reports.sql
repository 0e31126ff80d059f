CREATE TABLE "github_reports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "github_reports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"work_order_id" bigint NOT NULL,
	"release_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"github_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_reports_release_object_uq" UNIQUE("work_order_id","release_id","kind","name")
);
--> statement-breakpoint
ALTER TABLE "github_reports" ADD CONSTRAINT "github_reports_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;