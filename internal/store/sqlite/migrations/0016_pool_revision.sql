-- A pool's revision: a random number CreatePool and every UpdatePool set
-- afresh (random, so a pool deleted and re-created under its ID never
-- repeats one). Reads of a user return it, so a memoized pool is checked
-- current in the same statement instead of a read of its own.
ALTER TABLE pools ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
