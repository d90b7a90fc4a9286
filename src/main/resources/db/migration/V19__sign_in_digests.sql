-- New-sign-in mails held back per account: past 5 in an hour, each further new browser is counted here instead of
-- mailed, and one digest mail gives the count an hour after the first was held (the row is deleted as it is
-- written, by one DELETE ... RETURNING, so two nodes never both send it).
CREATE TABLE sign_in_digests (
  user_id       bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  held          integer     NOT NULL,
  first_held_at timestamptz NOT NULL
);
CREATE INDEX sign_in_digests_first_held_at_idx ON sign_in_digests (first_held_at);
