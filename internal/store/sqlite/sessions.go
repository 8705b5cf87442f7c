package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// sessionCols are the columns scanSession reads, from sessionFrom.
const sessionCols = "s.id, p.id, s.client_id, u.sub, s.data, s.created_at, s.expires_at"

// sessionFrom joins each session to its pool's ID and its user's sub.
const sessionFrom = " FROM sessions s JOIN pools p ON p.pk = s.pool JOIN users u ON u.id = s.user_id"

func scanSession(row scanner) (*store.Session, error) {
	var sess store.Session
	var created, expires int64
	if err := row.Scan(&sess.ID, &sess.PoolID, &sess.ClientID, &sess.Sub, &sess.Data, &created, &expires); err != nil {
		return nil, notFound(err)
	}
	sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &sess, nil
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO sessions (id, pool, user_id, client_id, data, created_at, expires_at)
		SELECT ?, pool, id, ?, ?, ?, ? FROM users WHERE pool = `+poolPK+` AND sub = ?`,
		sess.ID, sess.ClientID, sess.Data, micros(sess.CreatedAt), micros(sess.ExpiresAt), sess.PoolID, sess.Sub))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// GetSession implements store.Sessions.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	sess, err := scanSession(s.reader().QueryRowContext(ctx, "SELECT "+sessionCols+sessionFrom+" WHERE s.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get session: %w", err)
	}
	return sess, nil
}

// DeleteSession implements store.Sessions.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := affected(s.writer().ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id)); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// deleteUserSessions removes the sessions of the user whose pool ID and sub
// are its arguments.
const deleteUserSessions = "DELETE FROM sessions WHERE user_id = " + userID

// DeleteUserSessions implements store.Sessions.
func (s *Store) DeleteUserSessions(ctx context.Context, poolID, sub string) error {
	if _, err := s.writer().ExecContext(ctx, deleteUserSessions, poolID, sub); err != nil {
		return fmt.Errorf("sqlite: delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements store.Sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteExpired(ctx, "sessions", now)
	if err != nil {
		return n, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return n, nil
}
