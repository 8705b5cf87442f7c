package sqlstore

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/store"
)

const termsCols = "t.id, t.client_id, t.name, t.source, t.enforcement, t.links, t.created_at, t.updated_at"

func scanTerms(row Row, poolID string) (*store.Terms, error) {
	t := store.Terms{PoolID: poolID}
	if err := row.Scan(&t.ID, &t.ClientID, &t.Name, &t.Source, &t.Enforcement, JSONDest(&t.Links), at(&t.CreatedAt), at(&t.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// links returns what terms.links holds for m: an object, never null.
func links(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// CreateTerms implements store.TermsDocuments.
func (s *Store) CreateTerms(ctx context.Context, t *store.Terms) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO terms (id, pool, client_id, name, source, enforcement, links, created_at, updated_at)
		SELECT $3, p.pk, c.id, $4, $5, $6, $7, $8, $9 FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = $1 AND c.id = $2`,
		t.PoolID, t.ClientID, t.ID, t.Name, t.Source, t.Enforcement, jsonArg(links(t.Links)), s.t(t.CreatedAt), s.t(t.UpdatedAt)))
	if err != nil {
		return s.errorf("create terms", s.mapErr(err))
	}
	return nil
}

// GetTerms implements store.TermsDocuments.
func (s *Store) GetTerms(ctx context.Context, poolID, id string) (*store.Terms, error) {
	t, err := scanTerms(s.c.Read().QueryRow(ctx,
		"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK+" AND t.id = $2", poolID, id), poolID)
	if err != nil {
		return nil, s.errorf("get terms", err)
	}
	return t, nil
}

// UpdateTerms implements store.TermsDocuments.
func (s *Store) UpdateTerms(ctx context.Context, poolID, id string, fn func(t *store.Terms) error) (*store.Terms, error) {
	var t *store.Terms
	err := s.update(ctx, "update terms", func(tx Executor) error {
		old, err := scanTerms(tx.QueryRow(ctx,
			"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK+" AND t.id = $2"+s.d.Lock("FOR UPDATE"), poolID, id), poolID)
		if err != nil {
			return err
		}
		t = &store.Terms{}
		*t = *old
		t.Links = maps.Clone(old.Links)
		if err := call(fn(t)); err != nil {
			return err
		}
		t.PoolID, t.ClientID, t.ID, t.CreatedAt, t.UpdatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt, micro(t.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE terms SET name = $1, source = $2, enforcement = $3, links = $4, updated_at = $5 WHERE id = $6",
			t.Name, t.Source, t.Enforcement, jsonArg(links(t.Links)), s.t(t.UpdatedAt), t.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTerms implements store.TermsDocuments.
func (s *Store) DeleteTerms(ctx context.Context, poolID, id string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM terms WHERE pool = "+poolPK+" AND id = $2", poolID, id)); err != nil {
		return s.errorf("delete terms", err)
	}
	return nil
}

// ListTerms implements store.TermsDocuments.
func (s *Store) ListTerms(ctx context.Context, poolID string, page store.Page) ([]store.Terms, string, error) {
	list, next, err := listPage(ctx, s.c.Read(), page, []string{"terms", poolID},
		"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK, []any{poolID}, "t.id",
		func(row Row) (*store.Terms, error) { return scanTerms(row, poolID) },
		func(t store.Terms) string { return t.ID })
	if err != nil {
		return nil, "", s.errorf("list terms", err)
	}
	return list, next, nil
}
