-- status_message becomes a table partitioned by range of expires_at, one partition per UTC day,
-- so Delete Aged Status Messages drops whole days instead of deleting rows. Prisma does not model
-- partitions: schema.prisma describes the parent (keys include expires_at, as PostgreSQL requires
-- of a partitioned table), and this raw SQL makes it partitioned. Rows that find no day partition
-- land in status_message_default; the purge worker creates day partitions ahead and moves rows
-- out of the default one into them.

ALTER SEQUENCE "status_message_id_seq" OWNED BY NONE;
ALTER TABLE "status_message" RENAME TO "status_message_unpartitioned";
ALTER TABLE "status_message_unpartitioned" DROP CONSTRAINT "status_message_pkey";
DROP INDEX "status_message_uid_key";
DROP INDEX "status_message_received_at_id_idx";
DROP INDEX "status_message_severity_received_at_id_idx";
DROP INDEX "status_message_properties_idx";
DROP INDEX "status_message_component_received_at_idx";
DROP INDEX "status_message_system_name_received_at_idx";
DROP INDEX "status_message_message_id_received_at_idx";
DROP INDEX "status_message_expires_at_idx";

CREATE TABLE "status_message" (
    "id" BIGINT NOT NULL DEFAULT nextval('status_message_id_seq'),
    "uid" UUID NOT NULL,
    "message_id" INTEGER NOT NULL,
    "severity" "severity" NOT NULL,
    "type" "message_type" NOT NULL,
    "source" "message_source" NOT NULL,
    "site_code" VARCHAR(3) NOT NULL,
    "system_name" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "source_time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "process_id" INTEGER,
    "thread_id" INTEGER,
    "insertion_strings" TEXT[],
    "properties" JSONB NOT NULL DEFAULT '{}',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_message_pkey" PRIMARY KEY ("id", "expires_at")
) PARTITION BY RANGE ("expires_at");

ALTER SEQUENCE "status_message_id_seq" OWNED BY "status_message"."id";

CREATE TABLE "status_message_default" PARTITION OF "status_message" DEFAULT;

CREATE UNIQUE INDEX "status_message_uid_expires_at_key" ON "status_message"("uid", "expires_at");
CREATE INDEX "status_message_received_at_id_idx" ON "status_message"("received_at", "id");
CREATE INDEX "status_message_severity_received_at_id_idx" ON "status_message"("severity", "received_at", "id");
CREATE INDEX "status_message_properties_idx" ON "status_message" USING GIN ("properties" jsonb_path_ops);
CREATE INDEX "status_message_component_received_at_idx" ON "status_message"("component", "received_at");
CREATE INDEX "status_message_system_name_received_at_idx" ON "status_message"("system_name", "received_at");
CREATE INDEX "status_message_message_id_received_at_idx" ON "status_message"("message_id", "received_at");
CREATE INDEX "status_message_expires_at_idx" ON "status_message"("expires_at");

INSERT INTO "status_message" SELECT * FROM "status_message_unpartitioned";
DROP TABLE "status_message_unpartitioned";
