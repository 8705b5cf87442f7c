package sqlite

import (
	"context"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

const linkCols = "l.provider, l.attribute, l.value, l.sub, l.is_primary, l.created_at"

func scanLink(row scanner, poolID string) (*store.ProviderLink, error) {
	l := store.ProviderLink{PoolID: poolID}
	var created int64
	if err := row.Scan(&l.Provider, &l.Attribute, &l.Value, &l.Sub, &l.Primary, &created); err != nil {
		return nil, notFound(err)
	}
	l.CreatedAt = fromMicros(created)
	return &l, nil
}

// getLink reads the link of the identity whose pool ID, provider,
// attribute and value are its arguments: one search of the primary key.
const getLink = "SELECT " + linkCols + " FROM provider_links l WHERE l.pool = " + poolPK +
	" AND l.provider = ? AND l.attribute = ? AND l.value = ?"

// listUserLinks reads the links of the user whose pool ID and sub are its
// arguments.
const listUserLinks = "SELECT " + linkCols + " FROM provider_links l WHERE l.user_id = " + userID +
	" ORDER BY l.created_at, l.provider, l.attribute, l.value"

// CreateLink implements store.ProviderLinks. The count and the insert share
// the single writer's transaction.
func (s *Store) CreateLink(ctx context.Context, l *store.ProviderLink, max int) error {
	err := s.write(ctx, func(tx *preparer) error {
		var userRow int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE pool = "+poolPK+" AND sub = ?", l.PoolID, l.Sub).Scan(&userRow); err != nil {
			return notFound(err)
		}
		if !l.Primary {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM provider_links WHERE user_id = ? AND is_primary = 0", userRow).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return store.ErrLimit
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO provider_links (pool, provider, attribute, value, user_id, sub, is_primary, created_at)
			SELECT pool, ?, ?, ?, id, sub, ?, ? FROM users WHERE id = ?`,
			l.Provider, l.Attribute, l.Value, l.Primary, micros(l.CreatedAt), userRow)
		if isUnique(err) {
			return store.ErrConflict
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create provider link: %w", err)
	}
	return nil
}

// GetLink implements store.ProviderLinks.
func (s *Store) GetLink(ctx context.Context, poolID, provider, attribute, value string) (*store.ProviderLink, error) {
	l, err := scanLink(s.reader().QueryRowContext(ctx, getLink, poolID, provider, attribute, value), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get provider link: %w", err)
	}
	return l, nil
}

// ListUserLinks implements store.ProviderLinks.
func (s *Store) ListUserLinks(ctx context.Context, poolID, sub string) ([]store.ProviderLink, error) {
	rows, err := s.reader().QueryContext(ctx, listUserLinks, poolID, sub)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list user links: %w", err)
	}
	defer rows.Close()
	var out []store.ProviderLink
	for rows.Next() {
		l, err := scanLink(rows, poolID)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list user links: %w", err)
		}
		out = append(out, *l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list user links: %w", err)
	}
	return out, nil
}

// DeleteLink implements store.ProviderLinks.
func (s *Store) DeleteLink(ctx context.Context, poolID, provider, attribute, value string) error {
	err := affected(s.writer().ExecContext(ctx,
		"DELETE FROM provider_links WHERE pool = "+poolPK+" AND provider = ? AND attribute = ? AND value = ?",
		poolID, provider, attribute, value))
	if err != nil {
		return fmt.Errorf("sqlite: delete provider link: %w", err)
	}
	return nil
}
