-- CreateIndex
CREATE INDEX "software_product_name_trgm_idx" ON "software_product" USING GIN ("name" gin_trgm_ops);
