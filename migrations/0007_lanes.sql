CREATE TABLE "lane_instances" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lane_instances_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"service" text NOT NULL,
	"version" text NOT NULL,
	"package_digest" text DEFAULT '' NOT NULL,
	"endpoint" text,
	"state" text DEFAULT 'starting' NOT NULL,
	"baseline" boolean DEFAULT false NOT NULL,
	"runtime" text NOT NULL,
	"runtime_ref" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone,
	CONSTRAINT "lane_instances_service_version_uq" UNIQUE("service","version","package_digest")
);
--> statement-breakpoint
CREATE TABLE "lane_members" (
	"lane_id" bigint NOT NULL,
	"service" text NOT NULL,
	"instance_id" bigint NOT NULL,
	"deployed" boolean NOT NULL,
	CONSTRAINT "lane_members_lane_service_uq" UNIQUE("lane_id","service")
);
--> statement-breakpoint
CREATE TABLE "lanes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lanes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"mode" text NOT NULL,
	"spec" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "lane_members" ADD CONSTRAINT "lane_members_lane_id_lanes_id_fk" FOREIGN KEY ("lane_id") REFERENCES "public"."lanes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lane_members" ADD CONSTRAINT "lane_members_instance_id_lane_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."lane_instances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lane_instances_service_idx" ON "lane_instances" USING btree ("service");--> statement-breakpoint
CREATE INDEX "lane_members_instance_idx" ON "lane_members" USING btree ("instance_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lanes_active_name_uq" ON "lanes" USING btree ("name") WHERE "lanes"."ended_at" is null;