-- CreateTable
CREATE TABLE "child_site_link" (
    "site_code" VARCHAR(3) NOT NULL,
    "backlog_high" INTEGER NOT NULL DEFAULT 0,
    "backlog_medium" INTEGER NOT NULL DEFAULT 0,
    "backlog_low" INTEGER NOT NULL DEFAULT 0,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "oldest_queued_at" TIMESTAMPTZ(3),
    "reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "child_site_link_pkey" PRIMARY KEY ("site_code")
);
