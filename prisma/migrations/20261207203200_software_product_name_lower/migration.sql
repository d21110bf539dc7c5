-- Collection rules look products up by name ignoring case, lower(name) = lower($1), one probe
-- a name; schema.prisma cannot describe an index on an expression, so it is written here.
CREATE INDEX "software_product_name_lower_idx" ON "software_product" (lower("name"));
