-- CreateEnum
CREATE TYPE "notification_push_kind" AS ENUM ('START', 'CANCEL');

-- DropIndex
DROP INDEX "client_operation_target_device_id_idx";

-- AlterTable
ALTER TABLE "client_operation" ADD COLUMN     "cancelled_by" TEXT,
ADD COLUMN     "expired_at" TIMESTAMPTZ(3),
ADD COLUMN     "target_name" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "notification_push" (
    "id" BIGSERIAL NOT NULL,
    "operation_id" INTEGER NOT NULL,
    "kind" "notification_push_kind" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_push_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_server" (
    "instance_id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_beat_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_server_pkey" PRIMARY KEY ("instance_id")
);

-- CreateTable
CREATE TABLE "device_presence" (
    "device_id" INTEGER NOT NULL,
    "instance_id" TEXT NOT NULL,
    "connected_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_presence_pkey" PRIMARY KEY ("device_id","instance_id")
);

-- CreateIndex
CREATE INDEX "notification_push_operation_id_idx" ON "notification_push"("operation_id");

-- CreateIndex
CREATE INDEX "notification_push_created_at_idx" ON "notification_push"("created_at");

-- CreateIndex
CREATE INDEX "notification_server_last_beat_at_idx" ON "notification_server"("last_beat_at");

-- CreateIndex
CREATE INDEX "device_presence_instance_id_idx" ON "device_presence"("instance_id");

-- CreateIndex
CREATE INDEX "client_operation_valid_until_idx" ON "client_operation"("valid_until");

-- CreateIndex
CREATE INDEX "client_operation_target_device_id_state_idx" ON "client_operation_target"("device_id", "state");

-- AddForeignKey
ALTER TABLE "notification_push" ADD CONSTRAINT "notification_push_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "client_operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_presence" ADD CONSTRAINT "device_presence_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_presence" ADD CONSTRAINT "device_presence_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "notification_server"("instance_id") ON DELETE CASCADE ON UPDATE CASCADE;
