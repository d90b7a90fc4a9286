-- Support staff (granted from the command line) and the details support attaches to what it does.
ALTER TABLE users ADD COLUMN support boolean NOT NULL DEFAULT false;
ALTER TABLE security_events ADD COLUMN details jsonb;   -- e.g. the reason and identity check of a support action
