-- AlterTable
ALTER TABLE "deployment" ADD COLUMN     "comment" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "deployment_client_status" ADD COLUMN     "last_message_id" INTEGER,
ADD COLUMN     "received_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "deployment_summary" (
    "deployment_id" INTEGER NOT NULL,
    "received" INTEGER NOT NULL DEFAULT 0,
    "program_started" INTEGER NOT NULL DEFAULT 0,
    "program_errors" INTEGER NOT NULL DEFAULT 0,
    "program_succeeded" INTEGER NOT NULL DEFAULT 0,
    "retrying" INTEGER NOT NULL DEFAULT 0,
    "expired_unrun" INTEGER NOT NULL DEFAULT 0,
    "late_reports" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_summary_pkey" PRIMARY KEY ("deployment_id")
);

-- CreateIndex
CREATE INDEX "deployment_expired_at_expires_at_idx" ON "deployment"("expired_at", "expires_at");

-- AddForeignKey
ALTER TABLE "deployment_summary" ADD CONSTRAINT "deployment_summary_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
