package sqlstore

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// sessionCols are the columns scanSession reads, from sessionFrom.
const sessionCols = "s.id, p.id, s.client_id, u.sub, s.data, s.created_at, s.expires_at"

// sessionFrom joins each session to its pool's ID and its user's sub.
const sessionFrom = " FROM sessions s JOIN pools p ON p.pk = s.pool JOIN users u ON u.id = s.user_id"

func scanSession(row Row) (*store.Session, error) {
	var sess store.Session
	if err := row.Scan(&sess.ID, &sess.PoolID, &sess.ClientID, &sess.Sub, &sess.Data, at(&sess.CreatedAt), at(&sess.ExpiresAt)); err != nil {
		return nil, notFound(err)
	}
	return &sess, nil
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO sessions (id, pool, user_id, client_id, data, created_at, expires_at)
		SELECT $3, pool, id, $4, $5, $6, $7 FROM users WHERE pool = `+poolPK+` AND sub = $2`,
		sess.PoolID, sess.Sub, sess.ID, sess.ClientID, sess.Data, s.t(sess.CreatedAt), s.t(sess.ExpiresAt)))
	if err != nil {
		return s.errorf("create session", s.mapErr(err))
	}
	return nil
}

// GetSession implements store.Sessions.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	sess, err := scanSession(s.c.Read().QueryRow(ctx, "SELECT "+sessionCols+sessionFrom+" WHERE s.id = $1", id))
	if err != nil {
		return nil, s.errorf("get session", err)
	}
	return sess, nil
}

// DeleteSession implements store.Sessions.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id)); err != nil {
		return s.errorf("delete session", err)
	}
	return nil
}

// deleteUserSessions removes the sessions of the user whose pool ID is $1
// and whose sub is $2.
const deleteUserSessions = "DELETE FROM sessions WHERE user_id = " + userID

// DeleteUserSessions implements store.Sessions.
func (s *Store) DeleteUserSessions(ctx context.Context, poolID, sub string) error {
	if _, err := s.c.Exec(ctx, deleteUserSessions, poolID, sub); err != nil {
		return s.errorf("delete user sessions", err)
	}
	return nil
}

// DeleteExpiredSessions implements store.Sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteExpired(ctx, "sessions", now)
	if err != nil {
		return 0, s.errorf("delete expired sessions", err)
	}
	return n, nil
}
