-- AlterTable
ALTER TABLE "deployment" ADD COLUMN     "updated_by" TEXT NOT NULL DEFAULT '';
