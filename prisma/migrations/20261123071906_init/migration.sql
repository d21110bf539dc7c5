-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "site_system_role_kind" AS ENUM ('SITE_SERVER', 'MANAGEMENT_POINT', 'SITE_DATABASE_SERVER', 'DISTRIBUTION_POINT');

-- CreateEnum
CREATE TYPE "component_state" AS ENUM ('STARTED', 'STOPPED', 'PAUSED', 'INSTALLING', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "availability" AS ENUM ('ONLINE', 'OFFLINE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "device_approval" AS ENUM ('PENDING', 'APPROVED', 'REVOKED');

-- CreateEnum
CREATE TYPE "os_kind" AS ENUM ('WORKSTATION', 'SERVER');

-- CreateEnum
CREATE TYPE "collection_rule_kind" AS ENUM ('DIRECT', 'QUERY', 'INCLUDE', 'EXCLUDE');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('INFORMATIONAL', 'WARNING', 'ERROR');

-- CreateEnum
CREATE TYPE "message_type" AS ENUM ('MILESTONE', 'DETAIL', 'AUDIT');

-- CreateEnum
CREATE TYPE "message_source" AS ENUM ('CLIENT', 'SERVER', 'PROVIDER');

-- CreateEnum
CREATE TYPE "replication_priority" AS ENUM ('NONE', 'LOW', 'MEDIUM', 'HIGH');

-- CreateEnum
CREATE TYPE "summarizer_kind" AS ENUM ('COMPONENT', 'SITE_SYSTEM');

-- CreateEnum
CREATE TYPE "delta_state" AS ENUM ('PENDING', 'MERGING', 'APPLIED', 'REJECTED');

-- CreateEnum
CREATE TYPE "client_action" AS ENUM ('DOWNLOAD_COMPUTER_POLICY', 'QUICK_SCAN', 'FULL_SCAN');

-- CreateEnum
CREATE TYPE "operation_target_state" AS ENUM ('WAITING', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'EXPIRED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "deployment_status" AS ENUM ('NONE', 'RECEIVED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'RETRYING');

-- CreateEnum
CREATE TYPE "role" AS ENUM ('FULL_ADMINISTRATOR', 'OPERATIONS_ADMINISTRATOR', 'READ_ONLY_ANALYST');

-- CreateTable
CREATE TABLE "site" (
    "id" SERIAL NOT NULL,
    "code" VARCHAR(3) NOT NULL,
    "name" TEXT NOT NULL,
    "parent_site_id" INTEGER,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_system" (
    "id" SERIAL NOT NULL,
    "site_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "last_reported_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "site_system_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_system_role" (
    "id" SERIAL NOT NULL,
    "site_system_id" INTEGER NOT NULL,
    "role" "site_system_role_kind" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_system_role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "component" (
    "id" SERIAL NOT NULL,
    "site_system_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "state" "component_state" NOT NULL DEFAULT 'UNKNOWN',
    "availability" "availability" NOT NULL DEFAULT 'UNKNOWN',
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "component_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_system_storage_object" (
    "id" SERIAL NOT NULL,
    "site_system_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "free_bytes" BIGINT NOT NULL,
    "total_bytes" BIGINT NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "site_system_storage_object_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device" (
    "id" SERIAL NOT NULL,
    "site_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT,
    "os_name" TEXT NOT NULL,
    "os_version" TEXT NOT NULL,
    "os_kind" "os_kind" NOT NULL,
    "ip_address" TEXT,
    "mac_address" TEXT,
    "client_version" TEXT,
    "approval" "device_approval" NOT NULL DEFAULT 'PENDING',
    "credential_hash" TEXT,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "last_seen_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collection" (
    "id" SERIAL NOT NULL,
    "collection_id" VARCHAR(8) NOT NULL,
    "name" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "limiting_collection_id" INTEGER,
    "refresh_minutes" INTEGER NOT NULL DEFAULT 60,
    "member_count" INTEGER NOT NULL DEFAULT 0,
    "last_evaluated_at" TIMESTAMPTZ(3),
    "built_in" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "collection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collection_rule" (
    "id" SERIAL NOT NULL,
    "collection_id" INTEGER NOT NULL,
    "kind" "collection_rule_kind" NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "device_id" INTEGER,
    "query" JSONB,
    "referenced_collection_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "collection_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collection_member" (
    "collection_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "collection_member_pkey" PRIMARY KEY ("collection_id","device_id")
);

-- CreateTable
CREATE TABLE "status_message" (
    "id" BIGSERIAL NOT NULL,
    "uid" UUID NOT NULL,
    "message_id" INTEGER NOT NULL,
    "severity" "severity" NOT NULL,
    "type" "message_type" NOT NULL,
    "source" "message_source" NOT NULL,
    "site_code" VARCHAR(3) NOT NULL,
    "system_name" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "source_time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "process_id" INTEGER,
    "thread_id" INTEGER,
    "insertion_strings" TEXT[],
    "properties" JSONB NOT NULL DEFAULT '{}',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_inbox" (
    "id" BIGSERIAL NOT NULL,
    "uid" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "status_inbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_filter_rule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "built_in" BOOLEAN NOT NULL DEFAULT false,
    "source" "message_source",
    "site_code" VARCHAR(3),
    "system_name" TEXT,
    "component" TEXT,
    "message_type" "message_type",
    "severity" "severity",
    "message_id" INTEGER,
    "property_name" TEXT,
    "property_value" TEXT,
    "write_to_database" BOOLEAN NOT NULL DEFAULT false,
    "retention_days" INTEGER,
    "report_to_event_log" BOOLEAN NOT NULL DEFAULT false,
    "replicate_to_parent" "replication_priority" NOT NULL DEFAULT 'NONE',
    "forward_to_summarizers" BOOLEAN NOT NULL DEFAULT true,
    "run_program" TEXT,
    "stop_processing" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_filter_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "replication_outbox" (
    "id" BIGSERIAL NOT NULL,
    "uid" UUID NOT NULL,
    "priority" "replication_priority" NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_try_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replication_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "summarizer_threshold" (
    "id" SERIAL NOT NULL,
    "summarizer" "summarizer_kind" NOT NULL,
    "site_code" VARCHAR(3),
    "component" TEXT,
    "message_id" INTEGER,
    "severity" "severity" NOT NULL,
    "warning_at" INTEGER NOT NULL,
    "critical_at" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "summarizer_threshold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "component_summary" (
    "id" SERIAL NOT NULL,
    "site_code" VARCHAR(3) NOT NULL,
    "system_name" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "interval_start" TIMESTAMPTZ(3) NOT NULL,
    "info_count" INTEGER NOT NULL DEFAULT 0,
    "warning_count" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMPTZ(3),
    "reset_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "component_summary_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "summarizer_batch" (
    "batch_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "summarizer_batch_pkey" PRIMARY KEY ("batch_id")
);

-- CreateTable
CREATE TABLE "site_control" (
    "id" SERIAL NOT NULL,
    "site_id" INTEGER NOT NULL,
    "serial" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "site_control_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_control_history" (
    "id" SERIAL NOT NULL,
    "site_control_id" INTEGER NOT NULL,
    "serial" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "changed_by" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,
    "properties" TEXT[],

    CONSTRAINT "site_control_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_control_delta" (
    "id" SERIAL NOT NULL,
    "site_control_id" INTEGER NOT NULL,
    "base_serial" INTEGER NOT NULL,
    "changes" JSONB NOT NULL,
    "submitted_by" TEXT NOT NULL,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" "delta_state" NOT NULL DEFAULT 'PENDING',
    "applied_serial" INTEGER,
    "error" TEXT,

    CONSTRAINT "site_control_delta_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_operation" (
    "id" SERIAL NOT NULL,
    "action" "client_action" NOT NULL,
    "collection_id" INTEGER,
    "started_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3),
    "total" INTEGER NOT NULL,
    "online_at_start" INTEGER NOT NULL,

    CONSTRAINT "client_operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_operation_target" (
    "operation_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "state" "operation_target_state" NOT NULL DEFAULT 'WAITING',
    "delivered_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "result" JSONB,

    CONSTRAINT "client_operation_target_pkey" PRIMARY KEY ("operation_id","device_id")
);

-- CreateTable
CREATE TABLE "package" (
    "id" SERIAL NOT NULL,
    "package_id" VARCHAR(8) NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL DEFAULT '',
    "manufacturer" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "package_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "program" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "command_line" TEXT NOT NULL,
    "run_conditions" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "program_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment" (
    "id" SERIAL NOT NULL,
    "deployment_id" VARCHAR(8) NOT NULL,
    "name" TEXT NOT NULL,
    "program_id" INTEGER NOT NULL,
    "collection_id" INTEGER NOT NULL,
    "available_at" TIMESTAMPTZ(3) NOT NULL,
    "mandatory_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "expired_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_client_status" (
    "deployment_id" INTEGER NOT NULL,
    "device_id" INTEGER NOT NULL,
    "status" "deployment_status" NOT NULL DEFAULT 'NONE',
    "last_report_at" TIMESTAMPTZ(3),
    "exit_code" INTEGER,
    "late" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "deployment_client_status_pkey" PRIMARY KEY ("deployment_id","device_id")
);

-- CreateTable
CREATE TABLE "console_user" (
    "id" SERIAL NOT NULL,
    "user_name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL DEFAULT '',
    "role" "role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "must_change_password" BOOLEAN NOT NULL DEFAULT true,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "console_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "console_session" (
    "id" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "address" TEXT NOT NULL DEFAULT '',
    "user_agent" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "console_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_heartbeat" (
    "name" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "host" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_beat_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "worker_heartbeat_pkey" PRIMARY KEY ("name","instance")
);

-- CreateIndex
CREATE UNIQUE INDEX "site_code_key" ON "site"("code");

-- CreateIndex
CREATE INDEX "site_parent_site_id_idx" ON "site"("parent_site_id");

-- CreateIndex
CREATE INDEX "site_system_site_id_idx" ON "site_system"("site_id");

-- CreateIndex
CREATE UNIQUE INDEX "site_system_site_id_name_key" ON "site_system"("site_id", "name");

-- CreateIndex
CREATE INDEX "site_system_role_site_system_id_idx" ON "site_system_role"("site_system_id");

-- CreateIndex
CREATE UNIQUE INDEX "site_system_role_site_system_id_role_key" ON "site_system_role"("site_system_id", "role");

-- CreateIndex
CREATE INDEX "component_site_system_id_idx" ON "component"("site_system_id");

-- CreateIndex
CREATE UNIQUE INDEX "component_site_system_id_name_key" ON "component"("site_system_id", "name");

-- CreateIndex
CREATE INDEX "site_system_storage_object_site_system_id_idx" ON "site_system_storage_object"("site_system_id");

-- CreateIndex
CREATE UNIQUE INDEX "site_system_storage_object_site_system_id_name_key" ON "site_system_storage_object"("site_system_id", "name");

-- CreateIndex
CREATE INDEX "device_site_id_idx" ON "device"("site_id");

-- CreateIndex
CREATE INDEX "device_name_idx" ON "device"("name");

-- CreateIndex
CREATE INDEX "device_os_name_idx" ON "device"("os_name");

-- CreateIndex
CREATE INDEX "device_last_seen_at_idx" ON "device"("last_seen_at");

-- CreateIndex
CREATE INDEX "device_online_idx" ON "device"("online");

-- CreateIndex
CREATE UNIQUE INDEX "device_site_id_name_key" ON "device"("site_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "collection_collection_id_key" ON "collection"("collection_id");

-- CreateIndex
CREATE UNIQUE INDEX "collection_name_key" ON "collection"("name");

-- CreateIndex
CREATE INDEX "collection_limiting_collection_id_idx" ON "collection"("limiting_collection_id");

-- CreateIndex
CREATE INDEX "collection_rule_collection_id_idx" ON "collection_rule"("collection_id");

-- CreateIndex
CREATE INDEX "collection_rule_device_id_idx" ON "collection_rule"("device_id");

-- CreateIndex
CREATE INDEX "collection_rule_referenced_collection_id_idx" ON "collection_rule"("referenced_collection_id");

-- CreateIndex
CREATE INDEX "collection_member_device_id_idx" ON "collection_member"("device_id");

-- CreateIndex
CREATE UNIQUE INDEX "status_message_uid_key" ON "status_message"("uid");

-- CreateIndex
CREATE INDEX "status_message_received_at_idx" ON "status_message"("received_at");

-- CreateIndex
CREATE INDEX "status_message_component_received_at_idx" ON "status_message"("component", "received_at");

-- CreateIndex
CREATE INDEX "status_message_system_name_received_at_idx" ON "status_message"("system_name", "received_at");

-- CreateIndex
CREATE INDEX "status_message_message_id_received_at_idx" ON "status_message"("message_id", "received_at");

-- CreateIndex
CREATE INDEX "status_message_expires_at_idx" ON "status_message"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "status_inbox_uid_key" ON "status_inbox"("uid");

-- CreateIndex
CREATE UNIQUE INDEX "status_filter_rule_name_key" ON "status_filter_rule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "status_filter_rule_priority_key" ON "status_filter_rule"("priority");

-- CreateIndex
CREATE UNIQUE INDEX "replication_outbox_uid_key" ON "replication_outbox"("uid");

-- CreateIndex
CREATE INDEX "replication_outbox_priority_next_try_at_idx" ON "replication_outbox"("priority", "next_try_at");

-- CreateIndex
CREATE UNIQUE INDEX "summarizer_threshold_summarizer_site_code_component_message_key" ON "summarizer_threshold"("summarizer", "site_code", "component", "message_id", "severity");

-- CreateIndex
CREATE UNIQUE INDEX "component_summary_site_code_system_name_component_interval__key" ON "component_summary"("site_code", "system_name", "component", "interval_start");

-- CreateIndex
CREATE UNIQUE INDEX "site_control_site_id_key" ON "site_control"("site_id");

-- CreateIndex
CREATE INDEX "site_control_history_site_control_id_idx" ON "site_control_history"("site_control_id");

-- CreateIndex
CREATE UNIQUE INDEX "site_control_history_site_control_id_serial_key" ON "site_control_history"("site_control_id", "serial");

-- CreateIndex
CREATE INDEX "site_control_delta_site_control_id_idx" ON "site_control_delta"("site_control_id");

-- CreateIndex
CREATE INDEX "site_control_delta_state_submitted_at_idx" ON "site_control_delta"("state", "submitted_at");

-- CreateIndex
CREATE INDEX "client_operation_collection_id_idx" ON "client_operation"("collection_id");

-- CreateIndex
CREATE INDEX "client_operation_started_at_idx" ON "client_operation"("started_at");

-- CreateIndex
CREATE INDEX "client_operation_target_device_id_idx" ON "client_operation_target"("device_id");

-- CreateIndex
CREATE INDEX "client_operation_target_operation_id_state_idx" ON "client_operation_target"("operation_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "package_package_id_key" ON "package"("package_id");

-- CreateIndex
CREATE INDEX "program_package_id_idx" ON "program"("package_id");

-- CreateIndex
CREATE UNIQUE INDEX "program_package_id_name_key" ON "program"("package_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_deployment_id_key" ON "deployment"("deployment_id");

-- CreateIndex
CREATE INDEX "deployment_program_id_idx" ON "deployment"("program_id");

-- CreateIndex
CREATE INDEX "deployment_collection_id_idx" ON "deployment"("collection_id");

-- CreateIndex
CREATE INDEX "deployment_client_status_device_id_idx" ON "deployment_client_status"("device_id");

-- CreateIndex
CREATE INDEX "deployment_client_status_deployment_id_status_idx" ON "deployment_client_status"("deployment_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "console_user_user_name_key" ON "console_user"("user_name");

-- CreateIndex
CREATE INDEX "console_session_user_id_idx" ON "console_session"("user_id");

-- AddForeignKey
ALTER TABLE "site" ADD CONSTRAINT "site_parent_site_id_fkey" FOREIGN KEY ("parent_site_id") REFERENCES "site"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_system" ADD CONSTRAINT "site_system_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_system_role" ADD CONSTRAINT "site_system_role_site_system_id_fkey" FOREIGN KEY ("site_system_id") REFERENCES "site_system"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "component" ADD CONSTRAINT "component_site_system_id_fkey" FOREIGN KEY ("site_system_id") REFERENCES "site_system"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_system_storage_object" ADD CONSTRAINT "site_system_storage_object_site_system_id_fkey" FOREIGN KEY ("site_system_id") REFERENCES "site_system"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device" ADD CONSTRAINT "device_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection" ADD CONSTRAINT "collection_limiting_collection_id_fkey" FOREIGN KEY ("limiting_collection_id") REFERENCES "collection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_rule" ADD CONSTRAINT "collection_rule_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_rule" ADD CONSTRAINT "collection_rule_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_rule" ADD CONSTRAINT "collection_rule_referenced_collection_id_fkey" FOREIGN KEY ("referenced_collection_id") REFERENCES "collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_member" ADD CONSTRAINT "collection_member_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_member" ADD CONSTRAINT "collection_member_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_control" ADD CONSTRAINT "site_control_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_control_history" ADD CONSTRAINT "site_control_history_site_control_id_fkey" FOREIGN KEY ("site_control_id") REFERENCES "site_control"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_control_delta" ADD CONSTRAINT "site_control_delta_site_control_id_fkey" FOREIGN KEY ("site_control_id") REFERENCES "site_control"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_operation" ADD CONSTRAINT "client_operation_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_operation_target" ADD CONSTRAINT "client_operation_target_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "client_operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_operation_target" ADD CONSTRAINT "client_operation_target_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "program" ADD CONSTRAINT "program_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_client_status" ADD CONSTRAINT "deployment_client_status_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_client_status" ADD CONSTRAINT "deployment_client_status_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "console_session" ADD CONSTRAINT "console_session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "console_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
