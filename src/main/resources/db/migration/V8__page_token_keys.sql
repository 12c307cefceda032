-- The keys that encrypt page tokens (AES-256-GCM), rotated: a new one every rotation period, each
-- kept while tokens made with it may still be valid (docs/SECURITY.md, "Page tokens").
-- id is the rotation period the key was made for (creation time / period length), so nodes that
-- rotate at the same moment make one key, not two.
CREATE TABLE page_token_keys (
    id          BIGINT PRIMARY KEY,
    secret      VARCHAR(100) NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The HMAC key of the tokens before V8 is no longer used: those tokens are refused from now on.
DELETE FROM server_secrets WHERE name = 'page_token_key';
