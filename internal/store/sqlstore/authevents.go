package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// eventOrder is the sort key of an event: its creation time inverted, so
// that ascending order is newest first, then its ID.
func eventOrder(created time.Time, id string) string {
	u := uint64(micro(created).UnixMicro()) ^ (1 << 63)
	return fmt.Sprintf("%016x|%s", ^u, id)
}

// eventCols are the columns scanEvent reads.
const eventCols = "e.id, e.created_at, e.data"

func scanEvent(row Row, poolID, sub string) (*store.AuthEvent, error) {
	e := store.AuthEvent{PoolID: poolID, Sub: sub}
	if err := row.Scan(&e.ID, at(&e.CreatedAt), &e.Data); err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}

// AddAuthEvent implements store.AuthEvents.
func (s *Store) AddAuthEvent(ctx context.Context, e *store.AuthEvent, keep int) error {
	if keep < 1 {
		return s.errorf("add auth event", fmt.Errorf("keep %d is below 1", keep))
	}
	err := s.c.Write(ctx, func(ex Executor) error {
		n, err := ex.Exec(ctx, `INSERT INTO auth_events (user_id, id, pool, sort_key, created_at, data)
			SELECT id, $3, pool, $4, $5, $6 FROM users WHERE pool = `+poolPK+` AND sub = $2`,
			e.PoolID, e.Sub, e.ID, eventOrder(e.CreatedAt, e.ID), s.t(e.CreatedAt), e.Data)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		// Past keep events, the oldest go.
		_, err = ex.Exec(ctx, `DELETE FROM auth_events WHERE user_id = `+userID+` AND sort_key > (
			SELECT sort_key FROM auth_events WHERE user_id = `+userID+` ORDER BY sort_key LIMIT 1 OFFSET $3)`,
			e.PoolID, e.Sub, keep-1)
		return err
	})
	if err != nil {
		return s.errorf("add auth event", s.mapErr(err))
	}
	return nil
}

// ListAuthEvents implements store.AuthEvents.
func (s *Store) ListAuthEvents(ctx context.Context, poolID, sub string, page store.Page) ([]store.AuthEvent, string, error) {
	events, next, err := listPage(ctx, s.c.Read(), page, []string{"authevents", poolID, sub},
		"SELECT "+eventCols+" FROM auth_events e WHERE e.user_id = "+userID, []any{poolID, sub}, "e.sort_key",
		func(row Row) (*store.AuthEvent, error) { return scanEvent(row, poolID, sub) },
		func(e store.AuthEvent) string { return eventOrder(e.CreatedAt, e.ID) })
	if err != nil {
		return nil, "", s.errorf("list auth events", err)
	}
	return events, next, nil
}

// UpdateAuthEvent implements store.AuthEvents.
func (s *Store) UpdateAuthEvent(ctx context.Context, poolID, sub, id string, fn func(e *store.AuthEvent) error) (*store.AuthEvent, error) {
	var e *store.AuthEvent
	err := s.update(ctx, "update auth event", func(tx Executor) error {
		old, err := scanEvent(tx.QueryRow(ctx, "SELECT "+eventCols+" FROM auth_events e WHERE e.user_id = "+userID+" AND e.id = $3"+s.d.Lock("FOR UPDATE OF e"),
			poolID, sub, id), poolID, sub)
		if err != nil {
			return err
		}
		e = &store.AuthEvent{}
		*e = *old
		e.Data = slices.Clone(old.Data)
		if err := call(fn(e)); err != nil {
			return err
		}
		data := e.Data
		*e = *old
		e.Data = data
		_, err = tx.Exec(ctx, "UPDATE auth_events SET data = $3 WHERE user_id = "+userID+" AND id = $4", poolID, sub, data, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}
