-- The 2FA check-up (28 days after an authenticator app is added, then every 28 days): when the owner last took it
-- (entered a current code and said the recovery codes are kept) or put it off. Owned by the credential room.
CREATE TABLE twofa_checkups (
  user_id   bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  done_at   timestamptz NOT NULL,
  confirmed boolean     NOT NULL   -- false: "Not now"
);
