-- AlterEnum
BEGIN;
CREATE TYPE "delta_state_new" AS ENUM ('PENDING', 'QUEUED', 'MERGED', 'APPLIED', 'REJECTED');
ALTER TABLE "site_control_delta" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "site_control_delta" ALTER COLUMN "state" TYPE "delta_state_new" USING ("state"::text::"delta_state_new");
ALTER TYPE "delta_state" RENAME TO "delta_state_old";
ALTER TYPE "delta_state_new" RENAME TO "delta_state";
DROP TYPE "delta_state_old";
ALTER TABLE "site_control_delta" ALTER COLUMN "state" SET DEFAULT 'PENDING';
COMMIT;

-- DropIndex
DROP INDEX "site_control_history_site_control_id_idx";

-- DropIndex
DROP INDEX "site_control_delta_site_control_id_idx";

-- DropIndex
DROP INDEX "site_control_delta_state_submitted_at_idx";

-- AlterTable
ALTER TABLE "site_control" ADD COLUMN     "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "changed_by" TEXT NOT NULL DEFAULT 'setup',
ADD COLUMN     "changes" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "delta_id" INTEGER,
ADD COLUMN     "properties" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "site_control_history" ADD COLUMN     "changes" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "delta_id" INTEGER;

-- AlterTable
ALTER TABLE "site_control_delta" ADD COLUMN     "applied_at" TIMESTAMPTZ(3),
ADD COLUMN     "comment" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "conflicts" JSONB,
ADD COLUMN     "merged_at" TIMESTAMPTZ(3),
ADD COLUMN     "queued_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "site_control_delta_site_control_id_state_id_idx" ON "site_control_delta"("site_control_id", "state", "id");

-- The change flow's wake-ups (not expressible in schema.prisma). Each state a delta enters
-- wakes the worker whose turn it is, in the committing transaction: a new or merged delta wakes
-- Hierarchy Manager, a queued one Site Control Manager. Every state change is also announced
-- on sitebox_site_control_delta for the console's pending indicator.
CREATE FUNCTION site_control_delta_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IN ('PENDING', 'MERGED') THEN
    PERFORM pg_notify('sitebox_hierarchy_manager', NEW.id::text);
  ELSIF NEW.state = 'QUEUED' THEN
    PERFORM pg_notify('sitebox_site_control_manager', NEW.id::text);
  END IF;
  PERFORM pg_notify('sitebox_site_control_delta', json_build_object(
    'id', NEW.id, 'siteControlId', NEW.site_control_id, 'state', NEW.state, 'appliedSerial', NEW.applied_serial)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER site_control_delta_notify
  AFTER INSERT OR UPDATE OF state ON site_control_delta
  FOR EACH ROW EXECUTE FUNCTION site_control_delta_notify();
