-- TWOFA_REQUIRE_2FA (the requirement room): when the rule first applied to an account still without 2FA (the grace
-- period counts from then, and the stamp is kept), and which reminder mails went out (1: seven days before the
-- end, 2: on the last day).
CREATE TABLE two_factor_requirements (
  user_id       bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  applies_since timestamptz NOT NULL,
  reminded      smallint    NOT NULL DEFAULT 0 CHECK (reminded BETWEEN 0 AND 2)
);
