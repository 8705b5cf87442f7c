package postgres

import (
	"context"
	"fmt"
	"maps"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const termsCols = "t.id, t.client_id, t.name, t.source, t.enforcement, t.links, t.created_at, t.updated_at"

func scanTerms(row scanner, poolID string) (*store.Terms, error) {
	t := store.Terms{PoolID: poolID}
	if err := row.Scan(&t.ID, &t.ClientID, &t.Name, &t.Source, &t.Enforcement, &t.Links, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
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
	err := changed(s.exec(ctx, `INSERT INTO terms (id, pool, client_id, name, source, enforcement, links, created_at, updated_at)
		SELECT $3, p.pk, c.id, $4, $5, $6, $7, $8, $9 FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = $1 AND c.id = $2`,
		t.PoolID, t.ClientID, t.ID, t.Name, t.Source, t.Enforcement, links(t.Links), ts(t.CreatedAt), ts(t.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("postgres: create terms: %w", mapErr(err))
	}
	return nil
}

// GetTerms implements store.TermsDocuments.
func (s *Store) GetTerms(ctx context.Context, poolID, id string) (*store.Terms, error) {
	t, err := scanTerms(s.q().QueryRow(ctx,
		"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK+" AND t.id = $2", poolID, id), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get terms: %w", err)
	}
	return t, nil
}

// UpdateTerms implements store.TermsDocuments.
func (s *Store) UpdateTerms(ctx context.Context, poolID, id string, fn func(t *store.Terms) error) (*store.Terms, error) {
	var t *store.Terms
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanTerms(tx.QueryRow(ctx,
			"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK+" AND t.id = $2 FOR UPDATE", poolID, id), poolID)
		if err != nil {
			return err
		}
		t = &store.Terms{}
		*t = *old
		t.Links = maps.Clone(old.Links)
		if fnErr = fn(t); fnErr != nil {
			return fnErr
		}
		t.PoolID, t.ClientID, t.ID, t.CreatedAt, t.UpdatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt, ts(t.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE terms SET name = $1, source = $2, enforcement = $3, links = $4, updated_at = $5 WHERE id = $6",
			t.Name, t.Source, t.Enforcement, links(t.Links), t.UpdatedAt, t.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update terms: %w", mapErr(err))
	}
	return t, nil
}

// DeleteTerms implements store.TermsDocuments.
func (s *Store) DeleteTerms(ctx context.Context, poolID, id string) error {
	if err := changed(s.exec(ctx, "DELETE FROM terms WHERE pool = "+poolPK+" AND id = $2", poolID, id)); err != nil {
		return fmt.Errorf("postgres: delete terms: %w", err)
	}
	return nil
}

// ListTerms implements store.TermsDocuments.
func (s *Store) ListTerms(ctx context.Context, poolID string, page store.Page) ([]store.Terms, string, error) {
	list, next, err := listPage(ctx, s.q(), page, []string{"terms", poolID},
		"SELECT "+termsCols+" FROM terms t WHERE t.pool = "+poolPK, []any{poolID}, "t.id",
		func(row scanner) (store.Terms, error) {
			t, err := scanTerms(row, poolID)
			if err != nil {
				return store.Terms{}, err
			}
			return *t, nil
		},
		func(t store.Terms) string { return t.ID })
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list terms: %w", err)
	}
	return list, next, nil
}
