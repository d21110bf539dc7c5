-- CreateIndex
CREATE INDEX "status_message_severity_received_at_id_idx" ON "status_message"("severity", "received_at", "id");

-- CreateIndex
CREATE INDEX "status_message_properties_idx" ON "status_message" USING GIN ("properties" jsonb_path_ops);
