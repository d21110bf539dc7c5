-- A device row is stamped again and again (last policy request, inventory and client status
-- fields) and carries sixteen indexes, three of them trigram GIN. With full pages every stamp wrote
-- a new row version elsewhere and an entry in each index; with room left in each page, a stamp of
-- columns no index covers stays on its page and touches no index (a HOT update). Rows written from
-- now on get the room; VACUUM FULL device gives it to rows written before.
ALTER TABLE "device" SET (fillfactor = 70);
