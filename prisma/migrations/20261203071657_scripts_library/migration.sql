-- CreateTable
CREATE TABLE "script" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "body" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '[]',
    "timeout_seconds" INTEGER NOT NULL,
    "content_hash" CHAR(64) NOT NULL,
    "author_ids" INTEGER[],
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "approved_by_id" INTEGER,
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "approved_hash" CHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "script_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "script_name_key" ON "script"("name");

-- CreateIndex
CREATE INDEX "script_content_hash_idx" ON "script"("content_hash");
