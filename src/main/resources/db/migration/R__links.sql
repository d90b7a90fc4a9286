-- The links room's rules on account_links.

-- A completed login voids the account's password-reset link: the password is known after all.
CREATE OR REPLACE FUNCTION password_reset_links_void(p_user_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM account_links WHERE user_id = p_user_id AND purpose = 'password_reset';
END
$$;
