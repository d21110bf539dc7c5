-- Raw metering usage, partitioned by range of started_at, one partition per UTC day (Prisma does
-- not model partitions: schema.prisma describes the parent, whose keys include started_at as
-- PostgreSQL requires), so the retention of raw usage drops whole days.

-- CreateTable
CREATE TABLE "metering_usage" (
    "id" BIGSERIAL NOT NULL,
    "device_id" INTEGER NOT NULL,
    "rule_id" INTEGER NOT NULL,
    "usage_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,
    "user_name" TEXT NOT NULL,
    "process_id" INTEGER NOT NULL,
    "file_path" TEXT NOT NULL,
    "file_version" TEXT NOT NULL DEFAULT '',
    "end_estimated" BOOLEAN NOT NULL DEFAULT false,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "summarized_at" TIMESTAMPTZ(3),

    CONSTRAINT "metering_usage_pkey" PRIMARY KEY ("id","started_at")
) PARTITION BY RANGE ("started_at");

-- Runs whose day has no partition yet land here, kept; day partitions are created ahead and
-- take their rows out of it (as for status_message).
CREATE TABLE "metering_usage_default" PARTITION OF "metering_usage" DEFAULT;

-- CreateIndex
CREATE INDEX "metering_usage_rule_id_started_at_idx" ON "metering_usage"("rule_id", "started_at");

-- CreateIndex
CREATE INDEX "metering_usage_device_id_started_at_idx" ON "metering_usage"("device_id", "started_at");

-- CreateIndex
CREATE INDEX "metering_usage_summarized_at_idx" ON "metering_usage"("summarized_at");

-- CreateIndex
CREATE UNIQUE INDEX "metering_usage_device_id_usage_key_started_at_key" ON "metering_usage"("device_id", "usage_key", "started_at");
