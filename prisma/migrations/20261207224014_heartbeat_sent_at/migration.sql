-- AlterTable
ALTER TABLE "device" ADD COLUMN     "last_heartbeat_sent_at" TIMESTAMPTZ(3);
