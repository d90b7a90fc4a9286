-- The links room's rules on account_links.

-- A password change made after a step-up voids the account's password-reset link (a link mailed for the old
-- password must not set one over the owner's new choice). A login never does: whoever else knows the password
-- must not void the owner's link.
CREATE OR REPLACE FUNCTION password_reset_links_void(p_user_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM account_links WHERE user_id = p_user_id AND purpose = 'password_reset';
END
$$;
