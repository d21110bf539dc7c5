-- AlterTable
ALTER TABLE "status_rate_minute" DROP CONSTRAINT "status_rate_minute_pkey",
ADD COLUMN     "shard" INTEGER NOT NULL DEFAULT 0,
ADD CONSTRAINT "status_rate_minute_pkey" PRIMARY KEY ("site_code", "minute_start", "severity", "shard");
