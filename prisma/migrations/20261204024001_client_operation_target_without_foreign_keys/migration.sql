-- DropForeignKey
ALTER TABLE "client_operation_target" DROP CONSTRAINT "client_operation_target_operation_id_fkey";

-- DropForeignKey
ALTER TABLE "client_operation_target" DROP CONSTRAINT "client_operation_target_device_id_fkey";
