-- Data only: devices the demo seed inserted before it set is_demo. Only the seed inserts a device
-- without a credential that never registered (an agent that registers sets both, and one that
-- later takes a seeded device's name clears is_demo again).
UPDATE "device" SET "is_demo" = true WHERE "credential_hash" IS NULL AND "registered_at" IS NULL AND NOT "is_demo";
