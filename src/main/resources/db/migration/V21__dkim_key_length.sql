-- DKIM key length (issue #15). Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch
-- milliseconds (BIGINT).

-- The sandbox's copy of SES's DkimAttributes: CurrentSigningKeyLength, NextSigningKeyLength and
-- LastKeyGenerationTimestamp. NULL in rows made before this migration: read as RSA_2048_BIT, generated
-- at created_at.
ALTER TABLE sandbox_identities ADD COLUMN current_key_length VARCHAR(20);
ALTER TABLE sandbox_identities ADD COLUMN next_key_length VARCHAR(20);
ALTER TABLE sandbox_identities ADD COLUMN key_generated_at BIGINT;
