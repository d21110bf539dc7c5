-- AlterTable
ALTER TABLE "client_operation" ADD COLUMN     "pending_target_ids" INTEGER[];
