package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

// EnqueueMessage implements store.Messages.
func (s *Store) EnqueueMessage(ctx context.Context, m *store.Message) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO messages (id, pool, username, kind, medium, destination, body, created_at)
		SELECT ?, pk, ?, ?, ?, ?, ?, ? FROM pools WHERE id = ?`,
		m.ID, m.Username, m.Kind, m.Medium, m.Destination, m.Body, micros(m.CreatedAt), m.PoolID))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: enqueue message: %w", err)
	}
	return nil
}

// messageColumns are the columns queryMessages reads, from messages m
// joined with pools p.
const messageColumns = "m.id, p.id, m.username, m.kind, m.medium, m.destination, m.body, m.created_at"

// PendingMessages implements store.Messages.
func (s *Store) PendingMessages(ctx context.Context, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	ms, err := s.queryMessages(ctx, `SELECT `+messageColumns+`
		FROM messages m JOIN pools p ON p.pk = m.pool ORDER BY m.created_at, m.seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	return ms, nil
}

// PendingMessagesByMedium implements store.Messages.
func (s *Store) PendingMessagesByMedium(ctx context.Context, medium string, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	ms, err := s.queryMessages(ctx, `SELECT `+messageColumns+`
		FROM messages m JOIN pools p ON p.pk = m.pool WHERE m.medium = ? ORDER BY m.created_at, m.seq LIMIT ?`, medium, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	return ms, nil
}

// ListMessages implements store.Messages.
func (s *Store) ListMessages(ctx context.Context, poolID, destination string, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, fmt.Errorf("sqlite: list messages: %w", err)
	}
	var where []string
	var args []any
	if poolID != "" {
		where, args = append(where, "m.pool = "+poolPK), append(args, poolID)
	}
	if destination != "" {
		where, args = append(where, "m.destination = ?"), append(args, destination)
	}
	q := `SELECT ` + messageColumns + ` FROM messages m JOIN pools p ON p.pk = m.pool`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	ms, err := s.queryMessages(ctx, q+" ORDER BY m.created_at DESC, m.seq DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list messages: %w", err)
	}
	return ms, nil
}

// queryMessages runs a query of messageColumns.
func (s *Store) queryMessages(ctx context.Context, query string, args ...any) ([]store.Message, error) {
	rows, err := s.reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []store.Message
	for rows.Next() {
		var m store.Message
		var created int64
		if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Kind, &m.Medium, &m.Destination, &m.Body, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMicros(created)
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// MarkDelivered implements store.Messages.
func (s *Store) MarkDelivered(ctx context.Context, id string) error {
	if err := affected(s.writer().ExecContext(ctx, "DELETE FROM messages WHERE id = ?", id)); err != nil {
		return fmt.Errorf("sqlite: mark delivered: %w", err)
	}
	return nil
}
