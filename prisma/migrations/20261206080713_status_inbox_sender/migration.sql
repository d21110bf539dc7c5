-- AlterTable
ALTER TABLE "status_inbox" ADD COLUMN     "sender" TEXT;
