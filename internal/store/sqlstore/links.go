package sqlstore

import (
	"context"

	"github.com/cognate-idp/cognate/internal/store"
)

const linkCols = "l.provider, l.attribute, l.value, l.sub, l.is_primary, l.created_at"

func scanLink(row Row, poolID string) (*store.ProviderLink, error) {
	l := store.ProviderLink{PoolID: poolID}
	if err := row.Scan(&l.Provider, &l.Attribute, &l.Value, &l.Sub, &l.Primary, at(&l.CreatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &l, nil
}

// getLink reads the link of the identity whose pool ID is $1 and whose
// provider, attribute and value are $2, $3 and $4: one search of the
// primary key.
const getLink = "SELECT " + linkCols + " FROM provider_links l WHERE l.pool = " + poolPK +
	" AND l.provider = $2 AND l.attribute = $3 AND l.value = $4"

// listUserLinks reads the links of the user whose pool ID is $1 and whose
// sub is $2.
const listUserLinks = "SELECT " + linkCols + " FROM provider_links l WHERE l.user_id = " + userID +
	" ORDER BY l.created_at, l.provider, l.attribute, l.value"

// CreateLink implements store.ProviderLinks. It locks the user's row
// against other creates (FOR NO KEY UPDATE) so that the count against max
// stays true until the insert commits.
func (s *Store) CreateLink(ctx context.Context, l *store.ProviderLink, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		var pk, userRow int64
		if err := tx.QueryRow(ctx, "SELECT pool, id FROM users WHERE pool = "+poolPK+" AND sub = $2"+s.d.Lock("FOR NO KEY UPDATE"),
			l.PoolID, l.Sub).Scan(&pk, &userRow); err != nil {
			return notFound(err)
		}
		if !l.Primary {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM provider_links WHERE user_id = $1 AND NOT is_primary", userRow).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return store.ErrLimit
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO provider_links (pool, provider, attribute, value, user_id, sub, is_primary, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			pk, l.Provider, l.Attribute, l.Value, userRow, l.Sub, l.Primary, s.t(l.CreatedAt))
		if s.d.IsUnique(err) {
			return store.ErrConflict
		}
		return err
	})
	if err != nil {
		return s.errorf("create provider link", err)
	}
	return nil
}

// GetLink implements store.ProviderLinks.
func (s *Store) GetLink(ctx context.Context, poolID, provider, attribute, value string) (*store.ProviderLink, error) {
	l, err := scanLink(s.c.Read().QueryRow(ctx, getLink, poolID, provider, attribute, value), poolID)
	if err != nil {
		return nil, s.errorf("get provider link", err)
	}
	return l, nil
}

// ListUserLinks implements store.ProviderLinks.
func (s *Store) ListUserLinks(ctx context.Context, poolID, sub string) ([]store.ProviderLink, error) {
	rows, err := s.c.Read().Query(ctx, listUserLinks, poolID, sub)
	if err != nil {
		return nil, s.errorf("list user links", err)
	}
	defer rows.Close()
	var out []store.ProviderLink
	for rows.Next() {
		l, err := scanLink(rows, poolID)
		if err != nil {
			return nil, s.errorf("list user links", err)
		}
		out = append(out, *l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("list user links", err)
	}
	return out, nil
}

// DeleteLink implements store.ProviderLinks.
func (s *Store) DeleteLink(ctx context.Context, poolID, provider, attribute, value string) error {
	err := changed(s.c.Exec(ctx, "DELETE FROM provider_links WHERE pool = "+poolPK+" AND provider = $2 AND attribute = $3 AND value = $4",
		poolID, provider, attribute, value))
	if err != nil {
		return s.errorf("delete provider link", err)
	}
	return nil
}
