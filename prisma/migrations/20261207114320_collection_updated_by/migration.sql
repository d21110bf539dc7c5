-- AlterTable
ALTER TABLE "collection" ADD COLUMN     "updated_by" TEXT NOT NULL DEFAULT '';
