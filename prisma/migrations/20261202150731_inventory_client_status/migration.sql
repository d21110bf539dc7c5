-- CreateEnum
CREATE TYPE "inventory_report_kind" AS ENUM ('FULL', 'DELTA');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "client_action" ADD VALUE 'HARDWARE_INVENTORY_CYCLE';
ALTER TYPE "client_action" ADD VALUE 'SOFTWARE_INVENTORY_CYCLE';
ALTER TYPE "client_action" ADD VALUE 'DISCOVERY_DATA_COLLECTION_CYCLE';

-- AlterTable
ALTER TABLE "device" ADD COLUMN     "disk_free_mb" INTEGER,
ADD COLUMN     "fqdn" TEXT,
ADD COLUMN     "inventory_resync" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "inventory_version" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "is_demo" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_heartbeat_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_hw_inventory_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_policy_request_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_sw_inventory_at" TIMESTAMPTZ(3),
ADD COLUMN     "manufacturer" TEXT,
ADD COLUMN     "memory_mb" INTEGER,
ADD COLUMN     "model" TEXT,
ADD COLUMN     "serial_number" TEXT;

-- CreateTable
CREATE TABLE "inventory_inbox" (
    "id" BIGSERIAL NOT NULL,
    "device_id" INTEGER NOT NULL,
    "report_id" UUID NOT NULL,
    "kind" "inventory_report_kind" NOT NULL,
    "version" INTEGER NOT NULL,
    "base_version" INTEGER,
    "body" BYTEA NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_inbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory_report" (
    "id" BIGSERIAL NOT NULL,
    "device_id" INTEGER NOT NULL,
    "report_id" UUID NOT NULL,
    "kind" "inventory_report_kind" NOT NULL,
    "version" INTEGER NOT NULL,
    "collected_at" TIMESTAMPTZ(3) NOT NULL,
    "loaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changes" JSONB NOT NULL,
    "software_count" INTEGER,

    CONSTRAINT "inventory_report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device_hardware_class" (
    "device_id" INTEGER NOT NULL,
    "class_name" TEXT NOT NULL,
    "instances" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_hardware_class_pkey" PRIMARY KEY ("device_id","class_name")
);

-- CreateTable
CREATE TABLE "software_product" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "arch" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'dpkg',

    CONSTRAINT "software_product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device_software" (
    "device_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "installed_on" DATE,

    CONSTRAINT "device_software_pkey" PRIMARY KEY ("device_id","product_id")
);

-- CreateTable
CREATE TABLE "client_status_daily" (
    "day" DATE NOT NULL,
    "site_id" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "online" INTEGER NOT NULL,
    "active" INTEGER NOT NULL,
    "inactive" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_status_daily_pkey" PRIMARY KEY ("site_id","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "inventory_inbox_report_id_key" ON "inventory_inbox"("report_id");

-- CreateIndex
CREATE INDEX "inventory_inbox_device_id_version_idx" ON "inventory_inbox"("device_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "inventory_report_report_id_key" ON "inventory_report"("report_id");

-- CreateIndex
CREATE INDEX "inventory_report_device_id_id_idx" ON "inventory_report"("device_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "software_product_name_version_arch_key" ON "software_product"("name", "version", "arch");

-- CreateIndex
CREATE INDEX "device_software_product_id_idx" ON "device_software"("product_id");

-- CreateIndex
CREATE INDEX "device_memory_mb_idx" ON "device"("memory_mb");

-- CreateIndex
CREATE INDEX "device_disk_free_mb_idx" ON "device"("disk_free_mb");

-- CreateIndex
CREATE INDEX "device_model_idx" ON "device"("model");
