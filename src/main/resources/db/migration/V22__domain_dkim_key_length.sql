-- DKIM key length on the API (issue #15). Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch
-- milliseconds (BIGINT).

-- What Domainkeeper last learned of the domain's DKIM keys in SES: the length in use, the length SES generates
-- next (the one last asked for) and when SES last generated a key pair. Set when the identity is created and when
-- UpdateDomain changes the length. NULL in rows made before this migration: the lengths read as RSA_2048_BIT, what
-- every identity was created with until then, and the generation time as not known.
ALTER TABLE domains ADD COLUMN dkim_key_length VARCHAR(20);
ALTER TABLE domains ADD COLUMN dkim_next_key_length VARCHAR(20);
ALTER TABLE domains ADD COLUMN dkim_key_generated_at BIGINT;
