-- AlterTable
ALTER TABLE "status_message_query" ADD COLUMN     "updated_by" TEXT NOT NULL DEFAULT '';
