-- Keep each pool's user count in the pools row, so that DescribeUserPool's
-- EstimatedNumberOfUsers costs one row read instead of a scan of the pool's
-- users (seconds at a million users). Triggers keep it in step with every
-- insert and delete, cascades included.

ALTER TABLE pools ADD COLUMN user_count INTEGER NOT NULL DEFAULT 0;

UPDATE pools SET user_count = (SELECT count(*) FROM users WHERE users.pool = pools.pk);

CREATE TRIGGER users_count_insert AFTER INSERT ON users
BEGIN
    UPDATE pools SET user_count = user_count + 1 WHERE pk = NEW.pool;
END;

CREATE TRIGGER users_count_delete AFTER DELETE ON users
BEGIN
    UPDATE pools SET user_count = user_count - 1 WHERE pk = OLD.pool;
END;
