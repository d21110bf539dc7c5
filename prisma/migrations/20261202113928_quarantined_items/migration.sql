-- CreateEnum
CREATE TYPE "quarantine_state" AS ENUM ('QUARANTINED', 'RETRIED', 'DISCARDED');

-- CreateTable
CREATE TABLE "quarantined_item" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "item_key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "error_code" TEXT,
    "state" "quarantine_state" NOT NULL DEFAULT 'QUARANTINED',
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quarantined_item_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "quarantined_item_state_last_seen_at_idx" ON "quarantined_item"("state", "last_seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "quarantined_item_source_item_key_key" ON "quarantined_item"("source", "item_key");
