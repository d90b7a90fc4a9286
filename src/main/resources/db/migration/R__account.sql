-- The account room's rules on its users table, for the one-round-trip statements of other rooms (and its own
-- Java) to call: each rule is written here once.

-- The replay floor: a TOTP step is accepted once per user, and only when later than the last one accepted; the
-- check and the record are one UPDATE, so two requests with one code cannot both pass.
CREATE OR REPLACE FUNCTION totp_accept_step(p_user_id bigint, p_step bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET totp_last_step = p_step
    WHERE id = p_user_id AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < p_step);
  RETURN FOUND;
END
$$;

-- Makes every TOTP step up to p_step unusable (whoever used a recovery code may have seen their codes).
CREATE OR REPLACE FUNCTION totp_burn_through(p_user_id bigint, p_step bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET totp_last_step = GREATEST(COALESCE(totp_last_step, p_step), p_step) WHERE id = p_user_id;
END
$$;

-- What other rooms read of an account: its row, by id, through this function rather than the table (a set-returning
-- SQL function is inlined by the planner, so a join through it costs what a join on users costs; the row type is
-- the table's, so a column added later is seen at once).
CREATE OR REPLACE FUNCTION account_user(p_id bigint) RETURNS SETOF users
LANGUAGE sql STABLE AS $$
  SELECT * FROM users WHERE id = p_id
$$;

-- Marks the address verified when the account still has it (a link mailed to an address changed since proves
-- nothing); true when the account has the address.
CREATE OR REPLACE FUNCTION account_email_verified(p_id bigint, p_email text, p_at timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET email_verified_at = coalesce(email_verified_at, p_at) WHERE id = p_id AND email = p_email;
  RETURN FOUND;
END
$$;
