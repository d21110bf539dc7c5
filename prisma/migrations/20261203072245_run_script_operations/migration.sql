-- AlterEnum
ALTER TYPE "client_action" ADD VALUE 'RUN_SCRIPT';

-- AlterTable
ALTER TABLE "client_operation" ADD COLUMN     "script" JSONB;
