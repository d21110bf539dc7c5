/**
 * SQL for the messages of an inbox row (`status_inbox` in the FROM list) as a JSON array: a row
 * holds either the array itself or a batch as its sender sent it, whose `messages` it is (see
 * lib/reporting/inbox-repo.ts). Use as `json_array_elements(${INBOX_MESSAGES})`.
 */
export const INBOX_MESSAGES = `(CASE json_typeof(status_inbox.messages::json) WHEN 'array' THEN status_inbox.messages::json ELSE status_inbox.messages::json->'messages' END)`;
