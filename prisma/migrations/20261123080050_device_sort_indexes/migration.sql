-- DropIndex
DROP INDEX "device_online_idx";

-- CreateIndex
CREATE INDEX "device_online_id_idx" ON "device"("online", "id");

-- CreateIndex
CREATE INDEX "device_domain_id_idx" ON "device"("domain", "id");

-- CreateIndex
CREATE INDEX "device_os_version_id_idx" ON "device"("os_version", "id");

-- CreateIndex
CREATE INDEX "device_ip_address_id_idx" ON "device"("ip_address", "id");

-- CreateIndex
CREATE INDEX "device_approval_id_idx" ON "device"("approval", "id");
