-- CreateTable
CREATE TABLE "metering_rule" (
    "id" SERIAL NOT NULL,
    "product_name" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "original_file_name" TEXT NOT NULL DEFAULT '',
    "version" TEXT NOT NULL DEFAULT '*',
    "site_code" VARCHAR(3) NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "metering_rule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "metering_rule_site_code_enabled_idx" ON "metering_rule"("site_code", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "metering_rule_site_code_product_name_file_name_version_key" ON "metering_rule"("site_code", "product_name", "file_name", "version");
