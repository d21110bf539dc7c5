-- inventory_report becomes a table partitioned by range of loaded_at, one partition per UTC day,
-- so Delete Aged Inventory History drops whole days instead of deleting rows (as for
-- status_message). Prisma does not model partitions: schema.prisma describes the parent (its key
-- includes loaded_at, as PostgreSQL requires), and this raw SQL makes it partitioned. report_id
-- cannot stay unique across partitions; the loader looks it up under the device's lock. Existing
-- rows land in inventory_report_default; the purge worker creates day partitions and moves them.

ALTER SEQUENCE "inventory_report_id_seq" OWNED BY NONE;
ALTER TABLE "inventory_report" RENAME TO "inventory_report_unpartitioned";
ALTER TABLE "inventory_report_unpartitioned" DROP CONSTRAINT "inventory_report_pkey";
DROP INDEX "inventory_report_report_id_key";
DROP INDEX "inventory_report_device_id_id_idx";

CREATE TABLE "inventory_report" (
    "id" BIGINT NOT NULL DEFAULT nextval('inventory_report_id_seq'),
    "device_id" INTEGER NOT NULL,
    "report_id" UUID NOT NULL,
    "kind" "inventory_report_kind" NOT NULL,
    "version" INTEGER NOT NULL,
    "collected_at" TIMESTAMPTZ(3) NOT NULL,
    "loaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changes" JSONB NOT NULL,
    "software_count" INTEGER,

    CONSTRAINT "inventory_report_pkey" PRIMARY KEY ("id", "loaded_at")
) PARTITION BY RANGE ("loaded_at");

ALTER SEQUENCE "inventory_report_id_seq" OWNED BY "inventory_report"."id";

CREATE TABLE "inventory_report_default" PARTITION OF "inventory_report" DEFAULT;

CREATE INDEX "inventory_report_device_id_id_idx" ON "inventory_report"("device_id", "id");
CREATE INDEX "inventory_report_report_id_idx" ON "inventory_report"("report_id");

INSERT INTO "inventory_report" SELECT * FROM "inventory_report_unpartitioned";
DROP TABLE "inventory_report_unpartitioned";
