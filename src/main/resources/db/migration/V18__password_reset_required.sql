-- "This wasn't me" locks the password: set in the transaction that ends every session, cleared only by a new
-- password set through a mailed reset link. While set, a login or step-up with the right password is refused.
ALTER TABLE users ADD COLUMN password_reset_required boolean NOT NULL DEFAULT false;
