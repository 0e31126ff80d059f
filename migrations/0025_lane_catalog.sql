CREATE TABLE "lane_catalog" (
	"service" text PRIMARY KEY NOT NULL,
	"entry" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lane_catalog_packages" (
	"service" text NOT NULL,
	"version" text NOT NULL,
	"url" text NOT NULL,
	"sha256" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"added_by" text NOT NULL,
	CONSTRAINT "lane_catalog_packages_pk" PRIMARY KEY("service","version")
);
