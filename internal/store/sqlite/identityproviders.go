package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const idpCols = "i.name, i.type, i.identifiers, i.config, i.created_at, i.updated_at"

func scanIdentityProvider(row scanner, poolID string) (*store.IdentityProvider, error) {
	p := store.IdentityProvider{PoolID: poolID}
	var identifiers string
	var created, updated int64
	if err := row.Scan(&p.Name, &p.Type, &identifiers, &p.Config, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(identifiers), &p.Identifiers); err != nil {
		return nil, fmt.Errorf("identity provider identifiers: %w", err)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

func encodeIdentifiers(ids []string) (string, error) {
	if ids == nil {
		ids = []string{}
	}
	b, err := json.Marshal(ids)
	return string(b), err
}

// putIdentifiers indexes a provider's identifiers in idp_identifiers,
// replacing what was there.
func putIdentifiers(ctx context.Context, tx *preparer, poolID, name string, ids []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM idp_identifiers WHERE pool = "+poolPK+" AND provider = ?", poolID, name); err != nil {
		return err
	}
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, "INSERT INTO idp_identifiers (pool, identifier, provider) VALUES ("+poolPK+", ?, ?)", poolID, id, name)
		if isUnique(err) {
			return store.ErrIdentifierConflict
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateIdentityProvider implements store.IdentityProviders. The count and
// the inserts share the single writer's transaction.
func (s *Store) CreateIdentityProvider(ctx context.Context, p *store.IdentityProvider, max int) error {
	identifiers, err := encodeIdentifiers(p.Identifiers)
	if err == nil {
		err = s.write(ctx, func(tx *preparer) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM identity_providers WHERE pool = "+poolPK, p.PoolID).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return store.ErrLimit
			}
			err := affected(tx.ExecContext(ctx, `INSERT INTO identity_providers (pool, name, type, identifiers, config, created_at, updated_at)
				SELECT pk, ?, ?, ?, ?, ?, ? FROM pools WHERE id = ?`,
				p.Name, p.Type, identifiers, p.Config, micros(p.CreatedAt), micros(p.UpdatedAt), p.PoolID))
			if isUnique(err) {
				return store.ErrConflict
			}
			if err != nil {
				return err
			}
			return putIdentifiers(ctx, tx, p.PoolID, p.Name, p.Identifiers)
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: create identity provider: %w", err)
	}
	return nil
}

// GetIdentityProvider implements store.IdentityProviders.
func (s *Store) GetIdentityProvider(ctx context.Context, poolID, name string) (*store.IdentityProvider, error) {
	p, err := scanIdentityProvider(s.reader().QueryRowContext(ctx,
		"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = ?", poolID, name), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get identity provider: %w", err)
	}
	return p, nil
}

// getIDPByIdentifier reads the provider holding the identifier that is the
// second argument, in the pool whose ID is the first.
const getIDPByIdentifier = "SELECT " + idpCols + " FROM idp_identifiers x JOIN identity_providers i ON i.pool = x.pool AND i.name = x.provider" +
	" WHERE x.pool = " + poolPK + " AND x.identifier = ?"

// GetIdentityProviderByIdentifier implements store.IdentityProviders.
func (s *Store) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*store.IdentityProvider, error) {
	p, err := scanIdentityProvider(s.reader().QueryRowContext(ctx, getIDPByIdentifier, poolID, identifier), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get identity provider by identifier: %w", err)
	}
	return p, nil
}

// UpdateIdentityProvider implements store.IdentityProviders.
func (s *Store) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(p *store.IdentityProvider) error) (*store.IdentityProvider, error) {
	var p *store.IdentityProvider
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanIdentityProvider(tx.QueryRowContext(ctx,
			"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = ?", poolID, name), poolID)
		if err != nil {
			return err
		}
		p = &store.IdentityProvider{}
		*p = *old
		p.Identifiers = slices.Clone(old.Identifiers)
		if fnErr = fn(p); fnErr != nil {
			return fnErr
		}
		p.PoolID, p.Name, p.Type, p.CreatedAt = old.PoolID, old.Name, old.Type, old.CreatedAt
		identifiers, err := encodeIdentifiers(p.Identifiers)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE identity_providers SET identifiers = ?, config = ?, updated_at = ? WHERE pool = "+poolPK+" AND name = ?",
			identifiers, p.Config, micros(p.UpdatedAt), poolID, name); err != nil {
			return err
		}
		if slices.Equal(p.Identifiers, old.Identifiers) {
			return nil
		}
		return putIdentifiers(ctx, tx, poolID, name, p.Identifiers)
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update identity provider: %w", err)
	}
	p.UpdatedAt = fromMicros(micros(p.UpdatedAt))
	return p, nil
}

// DeleteIdentityProvider implements store.IdentityProviders. Its
// identifiers go by the foreign key's cascade.
func (s *Store) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	err := affected(s.writer().ExecContext(ctx,
		"DELETE FROM identity_providers WHERE pool = "+poolPK+" AND name = ?", poolID, name))
	if err != nil {
		return fmt.Errorf("sqlite: delete identity provider: %w", err)
	}
	return nil
}

// ListIdentityProviders implements store.IdentityProviders.
func (s *Store) ListIdentityProviders(ctx context.Context, poolID string, page store.Page) ([]store.IdentityProvider, string, error) {
	list, next, err := listPage(ctx, s.reader(), page, []string{"identity-providers", poolID},
		"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK, []any{poolID}, "i.name",
		func(row scanner) (store.IdentityProvider, error) {
			p, err := scanIdentityProvider(row, poolID)
			if err != nil {
				return store.IdentityProvider{}, err
			}
			return *p, nil
		},
		func(p store.IdentityProvider) string { return p.Name })
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list identity providers: %w", err)
	}
	return list, next, nil
}
