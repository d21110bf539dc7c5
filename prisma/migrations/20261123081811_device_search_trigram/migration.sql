-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "device_name_trgm_idx" ON "device" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "device_os_name_trgm_idx" ON "device" USING GIN ("os_name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "device_ip_address_trgm_idx" ON "device" USING GIN ("ip_address" gin_trgm_ops);
