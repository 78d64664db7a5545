#include "engine/store/ModuleSchemas.h"

namespace creneau::engine::sql {

// Migration 7: the export outbox and what each destination holds.
//
// sync_outbox has one row per appointment or group event whose remote copies
// may be out of date. A trigger on the change log fills it, so the row is
// written in the same transaction as the change itself (issue 4, item 5): a
// crash can lose neither. `version` grows with every change; the worker
// deletes a row only when the version it reconciled is still the current
// one. `lease_owner`/`lease_until` let several workers share the queue.
//
// sync_remote has one row per (record, destination): the remote id, the hash
// of the last body written (a change that renders the same body sends
// nothing), the conference link the provider returned, and `pending_create`
// set before a create is sent, so a retry after a lost answer first looks the
// event up instead of creating a second one.
std::vector<std::string> syncSchema(const Dialect& dialect) {
  std::vector<std::string> out{
      R"(CREATE TABLE sync_outbox (
  kind TEXT NOT NULL CHECK (kind IN ('appointment', 'event')),
  record_id BIGINT NOT NULL,
  version BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
  last_error TEXT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  PRIMARY KEY (kind, record_id)))",
      "CREATE INDEX sync_outbox_due ON sync_outbox (state, due_at)",
      R"(CREATE TABLE sync_remote (
  kind TEXT NOT NULL,
  record_id BIGINT NOT NULL,
  destination TEXT NOT NULL,
  connection_id BIGINT NOT NULL,
  remote_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  pending_create INTEGER NOT NULL CHECK (pending_create IN (0, 1)),
  body_hash TEXT NOT NULL,
  last_body TEXT NOT NULL,
  conference_url TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, record_id, destination)))",
      "CREATE INDEX sync_remote_connection ON sync_remote (connection_id)",
      // What the worker last saw of each connection: a new one, a reconnect
      // or a new destination calendar queues the owner's records; a
      // connection that is gone has its copies forgotten.
      R"(CREATE TABLE sync_connections (
  connection_id BIGINT PRIMARY KEY,
  connected_at BIGINT NOT NULL,
  calendar_id TEXT NOT NULL))",
      // The Meet / Teams link a provider made, shown in feeds and CalDAV too.
      "ALTER TABLE appointments ADD COLUMN conference_url TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE events ADD COLUMN conference_url TEXT NOT NULL DEFAULT ''"};
  if (dialect.name == "sqlite") {
    out.push_back(R"(CREATE TRIGGER sync_outbox_enqueue AFTER INSERT ON change_log
WHEN NEW.collection = 'all' AND NEW.kind IN ('appointment', 'event')
BEGIN
  INSERT OR IGNORE INTO sync_outbox
    (kind, record_id, version, due_at, attempts, state, last_error, lease_owner, lease_until)
    VALUES (NEW.kind, NEW.record_id, 0, NEW.at, 0, 'pending', '', '', 0);
  UPDATE sync_outbox SET version = version + 1, due_at = NEW.at, attempts = 0,
    state = 'pending', last_error = ''
    WHERE kind = NEW.kind AND record_id = NEW.record_id;
END)");
  } else {
    out.push_back(R"(CREATE FUNCTION sync_outbox_enqueue() RETURNS trigger AS $$
BEGIN
  IF NEW.collection = 'all' AND NEW.kind IN ('appointment', 'event') THEN
    INSERT INTO sync_outbox
      (kind, record_id, version, due_at, attempts, state, last_error, lease_owner, lease_until)
      VALUES (NEW.kind, NEW.record_id, 1, NEW.at, 0, 'pending', '', '', 0)
      ON CONFLICT (kind, record_id) DO UPDATE SET version = sync_outbox.version + 1,
        due_at = EXCLUDED.due_at, attempts = 0, state = 'pending', last_error = '';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql)");
    out.push_back(
        "CREATE TRIGGER sync_outbox_enqueue AFTER INSERT ON change_log "
        "FOR EACH ROW EXECUTE FUNCTION sync_outbox_enqueue()");
  }
  return out;
}

}  // namespace creneau::engine::sql
