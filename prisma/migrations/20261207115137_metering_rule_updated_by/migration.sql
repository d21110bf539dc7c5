-- AlterTable
ALTER TABLE "metering_rule" ADD COLUMN     "updated_by" TEXT NOT NULL DEFAULT '';
