-- The inbox holds JSON the ingest wrote itself and Status Manager reads back as text: as `json`,
-- PostgreSQL checked every batch's syntax on the way in and again on the way out, for nothing.
ALTER TABLE "status_inbox" ALTER COLUMN "messages" SET DATA TYPE TEXT;

-- Changing the type resets the column's storage. Where the server was built with lz4, batches are
-- compressed with it (cheaper than writing them whole, and a sixth of the WAL); pglz, the only
-- other method, costs more than it saves, so without lz4 they stay uncompressed as before.
-- Prisma cannot express column storage, so these lines are written by hand.
DO $$
BEGIN
  ALTER TABLE "status_inbox" ALTER COLUMN "messages" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  ALTER TABLE "status_inbox" ALTER COLUMN "messages" SET STORAGE EXTERNAL;
END $$;
