-- AlterEnum
ALTER TYPE "client_action" ADD VALUE 'LIVE_QUERY';

-- AlterTable
ALTER TABLE "client_operation" ADD COLUMN     "live_query" JSONB;

-- CreateTable
CREATE TABLE "live_query_row" (
    "operation_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "row_no" INTEGER NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "row" JSONB NOT NULL,

    CONSTRAINT "live_query_row_pkey" PRIMARY KEY ("operation_id","device_id","row_no")
);

-- CreateIndex
CREATE INDEX "live_query_row_operation_id_seq_idx" ON "live_query_row"("operation_id", "seq");

-- AddForeignKey
ALTER TABLE "live_query_row" ADD CONSTRAINT "live_query_row_operation_id_device_id_fkey" FOREIGN KEY ("operation_id", "device_id") REFERENCES "client_operation_target"("operation_id", "device_id") ON DELETE CASCADE ON UPDATE CASCADE;
