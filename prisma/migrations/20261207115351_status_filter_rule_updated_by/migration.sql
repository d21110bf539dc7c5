-- AlterTable
ALTER TABLE "status_filter_rule" ADD COLUMN     "updated_by" TEXT NOT NULL DEFAULT '';
