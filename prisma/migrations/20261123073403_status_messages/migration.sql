-- DropIndex
DROP INDEX "status_message_received_at_idx";

-- DropIndex
DROP INDEX "status_inbox_uid_key";

-- AlterTable: the inbox holds one row per batch. Rows already waiting (audit messages reported
-- before Status Manager existed) become one-message batches instead of being dropped.
ALTER TABLE "status_inbox" ADD COLUMN     "message_count" INTEGER,
ADD COLUMN     "messages" JSON,
ADD COLUMN     "origin" TEXT;
UPDATE "status_inbox" SET "message_count" = 1, "messages" = json_build_array("payload"), "origin" = 'audit';
ALTER TABLE "status_inbox" DROP COLUMN "payload",
DROP COLUMN "uid",
ALTER COLUMN "message_count" SET NOT NULL,
ALTER COLUMN "messages" SET NOT NULL,
ALTER COLUMN "origin" SET NOT NULL;

-- AlterTable
ALTER TABLE "status_filter_rule" DROP COLUMN "run_program",
ADD COLUMN     "run_program" JSONB;

-- CreateTable
CREATE TABLE "status_processed_uid" (
    "uid" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "status_processed_uid_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "status_counter" (
    "name" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "status_counter_pkey" PRIMARY KEY ("name","shard")
);

-- CreateTable
CREATE TABLE "status_message_query" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "criteria" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_message_query_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "status_processed_uid_processed_at_idx" ON "status_processed_uid"("processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "status_message_query_name_key" ON "status_message_query"("name");

-- CreateIndex
CREATE INDEX "status_message_received_at_id_idx" ON "status_message"("received_at", "id");
