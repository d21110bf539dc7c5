-- CreateTable
CREATE TABLE "metering_concurrency" (
    "rule_id" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "metering_concurrency_pkey" PRIMARY KEY ("rule_id","at")
);

-- CreateTable
CREATE TABLE "metering_concurrency_day" (
    "rule_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "net" INTEGER NOT NULL,
    "max_rise" INTEGER NOT NULL,
    "max_rise_at" TIMESTAMPTZ(3),

    CONSTRAINT "metering_concurrency_day_pkey" PRIMARY KEY ("rule_id","day")
);

-- The runs counted before these tables existed (those whose raw rows are still kept): +1 at the
-- first whole minute at or after each start, -1 at the first at or after each end.
INSERT INTO "metering_concurrency" ("rule_id", "at", "delta")
SELECT run.rule_id, step.at, sum(step.delta)::int FROM (
  SELECT rule_id, date_trunc('minute', started_at + interval '59.999 seconds') AS first_minute,
         date_trunc('minute', ended_at + interval '59.999 seconds') AS end_minute
    FROM "metering_usage" WHERE summarized_at IS NOT NULL
) AS run
CROSS JOIN LATERAL (VALUES (run.first_minute, 1), (run.end_minute, -1)) AS step(at, delta)
WHERE run.first_minute < run.end_minute
GROUP BY run.rule_id, step.at
HAVING sum(step.delta) <> 0;

-- Their days: the net change and the most the count rose above its value at midnight (UTC).
INSERT INTO "metering_concurrency_day" ("rule_id", "day", "net", "max_rise", "max_rise_at")
SELECT DISTINCT ON (rule_id, day) rule_id, day, sum(delta) OVER (PARTITION BY rule_id, day), greatest(rise, 0), CASE WHEN rise > 0 THEN at END
  FROM (SELECT rule_id, (at AT TIME ZONE 'UTC')::date AS day, at, delta,
               sum(delta) OVER (PARTITION BY rule_id, (at AT TIME ZONE 'UTC')::date ORDER BY at) AS rise
          FROM "metering_concurrency") AS steps
 ORDER BY rule_id, day, rise DESC, at;
