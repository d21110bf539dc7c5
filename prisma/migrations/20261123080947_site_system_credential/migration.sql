-- AlterTable
ALTER TABLE "site_system" ADD COLUMN     "credential_hash" TEXT;
