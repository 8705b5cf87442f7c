package sqlite

import (
	"context"
	"fmt"

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

// PendingMessages implements store.Messages.
func (s *Store) PendingMessages(ctx context.Context, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	rows, err := s.reader().QueryContext(ctx, `SELECT m.id, p.id, m.username, m.kind, m.medium, m.destination, m.body, m.created_at
		FROM messages m JOIN pools p ON p.pk = m.pool ORDER BY m.created_at, m.seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	defer rows.Close()
	var ms []store.Message
	for rows.Next() {
		var m store.Message
		var created int64
		if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Kind, &m.Medium, &m.Destination, &m.Body, &created); err != nil {
			return nil, fmt.Errorf("sqlite: pending messages: %w", err)
		}
		m.CreatedAt = fromMicros(created)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: pending messages: %w", err)
	}
	return ms, nil
}

// MarkDelivered implements store.Messages.
func (s *Store) MarkDelivered(ctx context.Context, id string) error {
	if err := affected(s.writer().ExecContext(ctx, "DELETE FROM messages WHERE id = ?", id)); err != nil {
		return fmt.Errorf("sqlite: mark delivered: %w", err)
	}
	return nil
}
