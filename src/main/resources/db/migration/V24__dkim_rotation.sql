-- BYODKIM key rotation (issue #15). Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch
-- milliseconds (BIGINT). All NULL when no rotation is under way.

-- The incoming key: selector, public key, private key sealed like dkim_private_key_sealed, and its stage
-- (PENDING_PUBLISH until DNS serves it, PUBLISHED until SES signs with it).
ALTER TABLE domains ADD COLUMN dkim_incoming_selector VARCHAR(63);
ALTER TABLE domains ADD COLUMN dkim_incoming_public_key VARCHAR(1000);
ALTER TABLE domains ADD COLUMN dkim_incoming_private_key_sealed VARCHAR(4000);
ALTER TABLE domains ADD COLUMN dkim_incoming_stage VARCHAR(20);
-- The outgoing key after the switch (no private key kept): RETIRING during the grace period, then REMOVABLE.
ALTER TABLE domains ADD COLUMN dkim_outgoing_selector VARCHAR(63);
ALTER TABLE domains ADD COLUMN dkim_outgoing_public_key VARCHAR(1000);
ALTER TABLE domains ADD COLUMN dkim_outgoing_stage VARCHAR(20);
ALTER TABLE domains ADD COLUMN dkim_switched_at BIGINT;
-- Scheduled rotation: every this many days after the key was made (0 or NULL: only on request).
ALTER TABLE domains ADD COLUMN dkim_rotation_days INTEGER;
