-- CreateTable
CREATE TABLE "status_retention_used" (
    "retention_days" INTEGER NOT NULL,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_retention_used_pkey" PRIMARY KEY ("retention_days")
);

-- Written by hand: the retentions of the messages stored in the last two days, so that a retry of
-- one of them, discarded by the rules now, is still recognised right after the upgrade.
INSERT INTO "status_retention_used" ("retention_days", "last_used_at")
SELECT round(extract(epoch FROM "expires_at" - "received_at") / 86400)::int, max("received_at")
  FROM "status_message"
 WHERE "received_at" >= now() - interval '2 days'
 GROUP BY 1
ON CONFLICT DO NOTHING;
