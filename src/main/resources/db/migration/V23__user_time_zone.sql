-- The time zone the browser reported at sign-up (an IANA name such as Asia/Tokyo), so that mails give times the
-- way the reader's clock shows them. Null for accounts made before: their mails fall back by language.
ALTER TABLE users ADD COLUMN time_zone text;
