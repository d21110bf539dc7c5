-- The block of partitions (see operation-partitions-repo.ts) the next client operation goes to,
-- made with the schema, so that a new site's first push does not wait while it is made. Each start
-- makes the block after its own once it has committed.
DO $$
DECLARE
  block INTEGER := (coalesce(pg_sequence_last_value('"client_operation_id_seq"'), 0) + 1) / 100;
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF "client_operation_target" FOR VALUES FROM (%s) TO (%s)',
                 'client_operation_target_b' || block, block * 100, block * 100 + 100);
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF "live_query_row" FOR VALUES FROM (%s) TO (%s)',
                 'live_query_row_b' || block, block * 100, block * 100 + 100);
END $$;
