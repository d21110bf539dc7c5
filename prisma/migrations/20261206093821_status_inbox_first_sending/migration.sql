-- AlterTable
ALTER TABLE "status_inbox" ADD COLUMN     "first_sending" BOOLEAN NOT NULL DEFAULT false;
