-- DropForeignKey
ALTER TABLE "live_query_row" DROP CONSTRAINT "live_query_row_operation_id_device_id_fkey";
