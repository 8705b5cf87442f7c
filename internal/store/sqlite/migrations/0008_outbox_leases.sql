-- Outbox leases: senders sharing the outbox (replicas on one database)
-- claim a message before sending it, so that none is sent twice, and a
-- failed message's retry time is kept with it.
--
-- due_at is when the message may next be claimed: the epoch for a message
-- never claimed, the end of its lease while claimed_by holds it, the time of
-- its next try after a failure. attempts counts the failures.

ALTER TABLE messages ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN claimed_by TEXT;
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE INDEX messages_by_due ON messages (medium, due_at);
