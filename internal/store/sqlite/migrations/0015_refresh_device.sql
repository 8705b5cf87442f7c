-- A refresh token issued to a sign-in with a remembered or new device is
-- bound to that device's key: refreshing it requires the key.
ALTER TABLE refresh_tokens ADD COLUMN device_key TEXT NOT NULL DEFAULT '';
