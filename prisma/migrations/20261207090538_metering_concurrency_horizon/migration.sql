-- CreateTable
CREATE TABLE "metering_concurrency_horizon" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "before" DATE NOT NULL,

    CONSTRAINT "metering_concurrency_horizon_pkey" PRIMARY KEY ("id")
);

-- No minute rows deleted yet.
INSERT INTO "metering_concurrency_horizon" ("id", "before") VALUES (1, DATE '1970-01-01');
