-- client_operation_target (each device's state and result) and live_query_row (each row a device
-- answered) become tables partitioned by range of operation_id, one partition per block of 100
-- operations (<table>_b<block> holds ids [block * 100, block * 100 + 100)), so Delete Aged Client
-- Operations drops whole blocks instead of deleting rows. Prisma does not model partitions:
-- schema.prisma describes the parents (their keys already begin with operation_id), and this raw
-- SQL makes them partitioned. A block's partitions are made when an operation of the block before
-- it starts (lib/notification/operation-partitions.ts); here, the blocks operations already use.

ALTER TABLE "live_query_row" DROP CONSTRAINT "live_query_row_operation_id_device_id_fkey";
ALTER TABLE "live_query_row" RENAME TO "live_query_row_unpartitioned";
ALTER TABLE "live_query_row_unpartitioned" DROP CONSTRAINT "live_query_row_pkey";
DROP INDEX "live_query_row_operation_id_seq_idx";
ALTER SEQUENCE "live_query_row_seq_seq" OWNED BY NONE;

ALTER TABLE "client_operation_target" RENAME TO "client_operation_target_unpartitioned";
ALTER TABLE "client_operation_target_unpartitioned" DROP CONSTRAINT "client_operation_target_pkey";
ALTER TABLE "client_operation_target_unpartitioned" DROP CONSTRAINT "client_operation_target_operation_id_fkey";
ALTER TABLE "client_operation_target_unpartitioned" DROP CONSTRAINT "client_operation_target_device_id_fkey";
DROP INDEX "client_operation_target_device_id_state_idx";
DROP INDEX "client_operation_target_operation_id_state_idx";

CREATE TABLE "client_operation_target" (
    "operation_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "state" "operation_target_state" NOT NULL DEFAULT 'WAITING',
    "delivered_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "result" JSONB,

    CONSTRAINT "client_operation_target_pkey" PRIMARY KEY ("operation_id","device_id")
) PARTITION BY RANGE ("operation_id");

CREATE INDEX "client_operation_target_device_id_state_idx" ON "client_operation_target"("device_id", "state");
CREATE INDEX "client_operation_target_operation_id_state_idx" ON "client_operation_target"("operation_id", "state");
ALTER TABLE "client_operation_target" ADD CONSTRAINT "client_operation_target_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "client_operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "client_operation_target" ADD CONSTRAINT "client_operation_target_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "live_query_row" (
    "operation_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "row_no" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT nextval('live_query_row_seq_seq'),
    "row" JSONB NOT NULL,

    CONSTRAINT "live_query_row_pkey" PRIMARY KEY ("operation_id","device_id","row_no")
) PARTITION BY RANGE ("operation_id");

ALTER SEQUENCE "live_query_row_seq_seq" OWNED BY "live_query_row"."seq";
CREATE INDEX "live_query_row_operation_id_seq_idx" ON "live_query_row"("operation_id", "seq");
ALTER TABLE "live_query_row" ADD CONSTRAINT "live_query_row_operation_id_device_id_fkey" FOREIGN KEY ("operation_id", "device_id") REFERENCES "client_operation_target"("operation_id", "device_id") ON DELETE CASCADE ON UPDATE CASCADE;

DO $$
DECLARE
  block INTEGER;
BEGIN
  FOR block IN SELECT DISTINCT id / 100 FROM "client_operation" UNION SELECT max(id) / 100 + 1 FROM "client_operation" HAVING count(*) > 0 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "client_operation_target" FOR VALUES FROM (%s) TO (%s)',
                   'client_operation_target_b' || block, block * 100, block * 100 + 100);
    EXECUTE format('CREATE TABLE %I PARTITION OF "live_query_row" FOR VALUES FROM (%s) TO (%s)',
                   'live_query_row_b' || block, block * 100, block * 100 + 100);
  END LOOP;
END $$;

INSERT INTO "client_operation_target" SELECT * FROM "client_operation_target_unpartitioned";
INSERT INTO "live_query_row" (operation_id, device_id, row_no, seq, row)
  SELECT operation_id, device_id, row_no, seq, row FROM "live_query_row_unpartitioned";
DROP TABLE "live_query_row_unpartitioned";
DROP TABLE "client_operation_target_unpartitioned";
