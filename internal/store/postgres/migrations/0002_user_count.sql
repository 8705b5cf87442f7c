-- Keep each pool's user count in the pools row, so that DescribeUserPool's
-- EstimatedNumberOfUsers costs one row read instead of a scan of the pool's
-- users. A trigger keeps it in step with every insert and delete, cascades
-- included.

ALTER TABLE pools ADD COLUMN user_count BIGINT NOT NULL DEFAULT 0;

UPDATE pools SET user_count = (SELECT count(*) FROM users WHERE users.pool = pools.pk);

CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE pools SET user_count = user_count + 1 WHERE pk = NEW.pool;
    ELSE
        UPDATE pools SET user_count = user_count - 1 WHERE pk = OLD.pool;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_count AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_count();
