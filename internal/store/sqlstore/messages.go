package sqlstore

import (
	"context"

	"github.com/cognate-idp/cognate/internal/store"
)

// EnqueueMessage implements store.Messages.
func (s *Store) EnqueueMessage(ctx context.Context, m *store.Message) error {
	err := changed(s.c.One().Exec(ctx, `INSERT INTO messages (id, pool, username, kind, medium, destination, body, created_at)
		SELECT $2, pk, $3, $4, $5, $6, $7, $8 FROM pools WHERE id = $1`,
		m.PoolID, m.ID, m.Username, m.Kind, m.Medium, m.Destination, m.Body, s.t(m.CreatedAt)))
	if err != nil {
		return s.errorf("enqueue message", s.mapErr(err))
	}
	return nil
}

// messageColumns are the columns queryMessages reads, from messages m
// joined with pools p.
const messageColumns = "m.id, p.id, m.username, m.kind, m.medium, m.destination, m.body, m.created_at"

// PendingMessages implements store.Messages.
func (s *Store) PendingMessages(ctx context.Context, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, s.errorf("pending messages", err)
	}
	ms, err := s.queryMessages(ctx, `SELECT `+messageColumns+`
		FROM messages m JOIN pools p ON p.pk = m.pool ORDER BY m.created_at, m.seq LIMIT $1`, limit)
	if err != nil {
		return nil, s.errorf("pending messages", err)
	}
	return ms, nil
}

// PendingMessagesByMedium implements store.Messages.
func (s *Store) PendingMessagesByMedium(ctx context.Context, medium string, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, s.errorf("pending messages", err)
	}
	ms, err := s.queryMessages(ctx, `SELECT `+messageColumns+`
		FROM messages m JOIN pools p ON p.pk = m.pool WHERE m.medium = $1 ORDER BY m.created_at, m.seq LIMIT $2`, medium, limit)
	if err != nil {
		return nil, s.errorf("pending messages", err)
	}
	return ms, nil
}

// ListMessages implements store.Messages.
func (s *Store) ListMessages(ctx context.Context, poolID, destination string, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, s.errorf("list messages", err)
	}
	ms, err := s.queryMessages(ctx, `SELECT `+messageColumns+`
		FROM messages m JOIN pools p ON p.pk = m.pool
		WHERE ($1 = '' OR p.id = $1) AND ($2 = '' OR m.destination = $2)
		ORDER BY m.created_at DESC, m.seq DESC LIMIT $3`, poolID, destination, limit)
	if err != nil {
		return nil, s.errorf("list messages", err)
	}
	return ms, nil
}

// queryMessages runs a query of messageColumns.
func (s *Store) queryMessages(ctx context.Context, sql string, args ...any) ([]store.Message, error) {
	rows, err := s.c.Read().Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []store.Message
	for rows.Next() {
		var m store.Message
		if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Kind, &m.Medium, &m.Destination, &m.Body, at(&m.CreatedAt)); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// MarkDelivered implements store.Messages.
func (s *Store) MarkDelivered(ctx context.Context, id string) error {
	if err := changed(s.c.One().Exec(ctx, "DELETE FROM messages WHERE id = $1", id)); err != nil {
		return s.errorf("mark delivered", err)
	}
	return nil
}
