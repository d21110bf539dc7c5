-- CreateEnum
CREATE TYPE "display_interval" AS ENUM ('SINCE_MIDNIGHT', 'SINCE_SUNDAY', 'SINCE_DATE', 'SINCE_RESET');

-- DropIndex
DROP INDEX "component_summary_site_code_system_name_component_interval__key";

-- AlterTable
ALTER TABLE "component_summary" DROP CONSTRAINT "component_summary_pkey",
DROP COLUMN "component",
DROP COLUMN "id",
DROP COLUMN "reset_at",
DROP COLUMN "site_code",
DROP COLUMN "system_name",
DROP COLUMN "updated_at",
ADD COLUMN     "component_id" INTEGER NOT NULL,
ADD CONSTRAINT "component_summary_pkey" PRIMARY KEY ("component_id", "interval_start");

-- CreateTable
CREATE TABLE "component_message_count" (
    "component_id" INTEGER NOT NULL,
    "hour_start" TIMESTAMPTZ(3) NOT NULL,
    "message_id" INTEGER NOT NULL,
    "severity" "severity" NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "component_message_count_pkey" PRIMARY KEY ("component_id","hour_start","message_id","severity")
);

-- CreateTable
CREATE TABLE "component_count_reset" (
    "component_id" INTEGER NOT NULL,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,
    "reset_by" TEXT NOT NULL,
    "baseline" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "component_count_reset_pkey" PRIMARY KEY ("component_id")
);

-- CreateTable
CREATE TABLE "status_rate_minute" (
    "site_code" VARCHAR(3) NOT NULL,
    "minute_start" TIMESTAMPTZ(3) NOT NULL,
    "severity" "severity" NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "status_rate_minute_pkey" PRIMARY KEY ("site_code","minute_start","severity")
);

-- CreateTable
CREATE TABLE "summarizer_setting" (
    "site_id" INTEGER NOT NULL,
    "display_interval" "display_interval" NOT NULL DEFAULT 'SINCE_MIDNIGHT',
    "since_at" TIMESTAMPTZ(3),
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "summarizer_setting_pkey" PRIMARY KEY ("site_id")
);

-- CreateIndex
CREATE INDEX "component_message_count_hour_start_idx" ON "component_message_count"("hour_start");

-- CreateIndex
CREATE INDEX "component_message_count_message_id_hour_start_idx" ON "component_message_count"("message_id", "hour_start");

-- CreateIndex
CREATE INDEX "status_rate_minute_minute_start_idx" ON "status_rate_minute"("minute_start");

-- CreateIndex
CREATE INDEX "component_summary_interval_start_idx" ON "component_summary"("interval_start");

-- CreateIndex
CREATE INDEX "summarizer_batch_processed_at_idx" ON "summarizer_batch"("processed_at");

-- AddForeignKey
ALTER TABLE "component_summary" ADD CONSTRAINT "component_summary_component_id_fkey" FOREIGN KEY ("component_id") REFERENCES "component"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "component_message_count" ADD CONSTRAINT "component_message_count_component_id_fkey" FOREIGN KEY ("component_id") REFERENCES "component"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "component_count_reset" ADD CONSTRAINT "component_count_reset_component_id_fkey" FOREIGN KEY ("component_id") REFERENCES "component"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "summarizer_setting" ADD CONSTRAINT "summarizer_setting_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;
