package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// EnqueueMessage implements store.Messages.
func (s *Store) EnqueueMessage(ctx context.Context, m *store.Message) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO messages (id, pool, username, kind, medium, destination, body, created_at)
		SELECT $2, pk, $3, $4, $5, $6, $7, $8 FROM pools WHERE id = $1`,
		m.PoolID, m.ID, m.Username, m.Kind, m.Medium, m.Destination, m.Body, s.t(m.CreatedAt)))
	if err != nil {
		return s.errorf("enqueue message", s.mapErr(err))
	}
	return nil
}

// messageColumns are the columns queryMessages reads, from messages m
// joined with pools p.
const messageColumns = "m.id, p.id, m.username, m.kind, m.medium, m.destination, m.body, m.created_at, m.attempts"

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

// claimMessages leases up to $5 messages of medium $1 that are due at $2
// to owner $4 until $3. The subquery picks the oldest due messages, passing
// over those another claim has locked (SKIP LOCKED, where rows are locked),
// and the update checks again that each is due.
const claimMessages = `UPDATE messages SET due_at = $3, claimed_by = $4
	WHERE seq IN (SELECT seq FROM messages WHERE medium = $1 AND due_at <= $2 ORDER BY created_at, seq LIMIT $5%s)
	AND due_at <= $2
	RETURNING id, (SELECT id FROM pools WHERE pk = messages.pool), username, kind, medium, destination, body, created_at, attempts, seq`

// ClaimMessages implements store.Messages.
func (s *Store) ClaimMessages(ctx context.Context, medium, owner string, now time.Time, lease time.Duration, limit int) ([]store.Message, error) {
	if err := checkLimit(store.Page{Limit: limit}); err != nil {
		return nil, s.errorf("claim messages", err)
	}
	type claimed struct {
		store.Message
		seq int64
	}
	var ms []claimed
	err := s.c.Write(ctx, func(ex Executor) error {
		ms = nil
		rows, err := ex.Query(ctx, fmt.Sprintf(claimMessages, s.d.Lock("FOR UPDATE SKIP LOCKED")),
			medium, s.t(now), s.t(now.Add(lease)), owner, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m claimed
			if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Kind, &m.Medium, &m.Destination, &m.Body,
				at(&m.CreatedAt), &m.Attempts, &m.seq); err != nil {
				return err
			}
			ms = append(ms, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.errorf("claim messages", err)
	}
	// RETURNING gives the rows in no particular order.
	slices.SortFunc(ms, func(a, b claimed) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.seq, b.seq))
	})
	out := make([]store.Message, len(ms))
	for i, m := range ms {
		out[i] = m.Message
	}
	return out, nil
}

// RetryMessage implements store.Messages.
func (s *Store) RetryMessage(ctx context.Context, id, owner string, next time.Time) error {
	err := changed(s.c.Exec(ctx, `UPDATE messages SET due_at = $3, claimed_by = NULL, attempts = attempts + 1
		WHERE id = $1 AND claimed_by = $2`, id, owner, s.t(next)))
	if err != nil {
		return s.errorf("retry message", err)
	}
	return nil
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
		if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Kind, &m.Medium, &m.Destination, &m.Body, at(&m.CreatedAt), &m.Attempts); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// MarkDelivered implements store.Messages.
func (s *Store) MarkDelivered(ctx context.Context, id string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM messages WHERE id = $1", id)); err != nil {
		return s.errorf("mark delivered", err)
	}
	return nil
}
