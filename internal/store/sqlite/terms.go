package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/cognate-idp/cognate/internal/store"
)

const termsCols = "t.id, t.client_id, t.name, t.source, t.enforcement, t.links, t.created_at, t.updated_at"

const termsFrom = " FROM terms t"

func scanTerms(row scanner, poolID string) (*store.Terms, error) {
	t := store.Terms{PoolID: poolID}
	var links string
	var created, updated int64
	if err := row.Scan(&t.ID, &t.ClientID, &t.Name, &t.Source, &t.Enforcement, &links, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(links), &t.Links); err != nil {
		return nil, fmt.Errorf("terms links: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

func encodeLinks(links map[string]string) (string, error) {
	if links == nil {
		links = map[string]string{}
	}
	b, err := json.Marshal(links)
	return string(b), err
}

// CreateTerms implements store.TermsDocuments.
func (s *Store) CreateTerms(ctx context.Context, t *store.Terms) error {
	links, err := encodeLinks(t.Links)
	if err == nil {
		err = affected(s.writer().ExecContext(ctx, `INSERT INTO terms (id, pool, client_id, name, source, enforcement, links, created_at, updated_at)
			SELECT ?, p.pk, c.id, ?, ?, ?, ?, ?, ? FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = ? AND c.id = ?`,
			t.ID, t.Name, t.Source, t.Enforcement, links, micros(t.CreatedAt), micros(t.UpdatedAt), t.PoolID, t.ClientID))
	}
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create terms: %w", err)
	}
	return nil
}

// GetTerms implements store.TermsDocuments.
func (s *Store) GetTerms(ctx context.Context, poolID, id string) (*store.Terms, error) {
	t, err := scanTerms(s.reader().QueryRowContext(ctx,
		"SELECT "+termsCols+termsFrom+" WHERE t.pool = "+poolPK+" AND t.id = ?", poolID, id), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get terms: %w", err)
	}
	return t, nil
}

// UpdateTerms implements store.TermsDocuments.
func (s *Store) UpdateTerms(ctx context.Context, poolID, id string, fn func(t *store.Terms) error) (*store.Terms, error) {
	var t *store.Terms
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanTerms(tx.QueryRowContext(ctx,
			"SELECT "+termsCols+termsFrom+" WHERE t.pool = "+poolPK+" AND t.id = ?", poolID, id), poolID)
		if err != nil {
			return err
		}
		t = &store.Terms{}
		*t = *old
		t.Links = maps.Clone(old.Links)
		if fnErr = fn(t); fnErr != nil {
			return fnErr
		}
		t.PoolID, t.ClientID, t.ID, t.CreatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt
		links, err := encodeLinks(t.Links)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE terms SET name = ?, source = ?, enforcement = ?, links = ?, updated_at = ? WHERE id = ?",
			t.Name, t.Source, t.Enforcement, links, micros(t.UpdatedAt), t.ID)
		if isUnique(err) {
			return store.ErrConflict
		}
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update terms: %w", err)
	}
	t.UpdatedAt = fromMicros(micros(t.UpdatedAt))
	return t, nil
}

// DeleteTerms implements store.TermsDocuments.
func (s *Store) DeleteTerms(ctx context.Context, poolID, id string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM terms WHERE id = ? AND pool = "+poolPK, id, poolID))
	if err != nil {
		return fmt.Errorf("sqlite: delete terms: %w", err)
	}
	return nil
}

// ListTerms implements store.TermsDocuments.
func (s *Store) ListTerms(ctx context.Context, poolID string, page store.Page) ([]store.Terms, string, error) {
	list, next, err := listPage(ctx, s.reader(), page, []string{"terms", poolID},
		"SELECT "+termsCols+termsFrom+" WHERE t.pool = "+poolPK, []any{poolID}, "t.id",
		func(row scanner) (store.Terms, error) {
			t, err := scanTerms(row, poolID)
			if err != nil {
				return store.Terms{}, err
			}
			return *t, nil
		},
		func(t store.Terms) string { return t.ID })
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list terms: %w", err)
	}
	return list, next, nil
}
