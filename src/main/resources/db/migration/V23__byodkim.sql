-- Bring Your Own DKIM (issue #15). Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- A BYODKIM domain's key pair: the selector, the public key (base64 SubjectPublicKeyInfo) and the private
-- key sealed with the operator's secrets key (secrets.SecretBox, bound to the account and the domain id),
-- never the clear text. All NULL for an Easy DKIM domain.
ALTER TABLE domains ADD COLUMN dkim_selector VARCHAR(63);
ALTER TABLE domains ADD COLUMN dkim_public_key VARCHAR(1000);
ALTER TABLE domains ADD COLUMN dkim_private_key_sealed VARCHAR(4000);

-- The sandbox's BYODKIM identities: the public key derived from the private key SES was given (the
-- sandbox keeps no private key), checked against the TXT record at the selector, which is the identity's
-- one DKIM token. NULL for Easy DKIM.
ALTER TABLE sandbox_identities ADD COLUMN external_public_key VARCHAR(1000);
