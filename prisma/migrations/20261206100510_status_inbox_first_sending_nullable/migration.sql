-- AlterTable
ALTER TABLE "status_inbox" ALTER COLUMN "first_sending" DROP NOT NULL,
ALTER COLUMN "first_sending" DROP DEFAULT;
