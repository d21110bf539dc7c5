-- CreateEnum
CREATE TYPE "metering_period" AS ENUM ('DAY', 'MONTH');

-- CreateTable
CREATE TABLE "metering_summary" (
    "rule_id" INTEGER NOT NULL,
    "period" "metering_period" NOT NULL,
    "period_start" DATE NOT NULL,
    "distinct_users" INTEGER NOT NULL DEFAULT 0,
    "distinct_computers" INTEGER NOT NULL DEFAULT 0,
    "run_count" INTEGER NOT NULL DEFAULT 0,
    "run_seconds" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "metering_summary_pkey" PRIMARY KEY ("rule_id","period","period_start")
);

-- CreateTable
CREATE TABLE "metering_summary_user" (
    "rule_id" INTEGER NOT NULL,
    "period" "metering_period" NOT NULL,
    "period_start" DATE NOT NULL,
    "user_name" TEXT NOT NULL,

    CONSTRAINT "metering_summary_user_pkey" PRIMARY KEY ("rule_id","period","period_start","user_name")
);

-- CreateTable
CREATE TABLE "metering_summary_computer" (
    "rule_id" INTEGER NOT NULL,
    "period" "metering_period" NOT NULL,
    "period_start" DATE NOT NULL,
    "device_id" INTEGER NOT NULL,

    CONSTRAINT "metering_summary_computer_pkey" PRIMARY KEY ("rule_id","period","period_start","device_id")
);

-- CreateTable
CREATE TABLE "metering_computer_last_run" (
    "rule_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "last_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_user" TEXT NOT NULL,
    "run_count" INTEGER NOT NULL,

    CONSTRAINT "metering_computer_last_run_pkey" PRIMARY KEY ("rule_id","device_id")
);

-- CreateTable
CREATE TABLE "metering_user_last_run" (
    "rule_id" INTEGER NOT NULL,
    "user_name" TEXT NOT NULL,
    "last_run_at" TIMESTAMPTZ(3) NOT NULL,
    "run_count" INTEGER NOT NULL,

    CONSTRAINT "metering_user_last_run_pkey" PRIMARY KEY ("rule_id","user_name")
);

-- CreateIndex
CREATE INDEX "metering_computer_last_run_device_id_idx" ON "metering_computer_last_run"("device_id");
