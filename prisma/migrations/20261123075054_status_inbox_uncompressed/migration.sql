-- Inbox batches live for seconds: compressing them (pglz, the only method this PostgreSQL
-- offers) costs ingest more CPU than the extra bytes cost to write. Prisma cannot express
-- column storage, so this migration is written by hand; schema.prisma is unchanged.
ALTER TABLE "status_inbox" ALTER COLUMN "messages" SET STORAGE EXTERNAL;
