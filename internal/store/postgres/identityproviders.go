package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const idpCols = "i.name, i.type, i.identifiers, i.config, i.created_at, i.updated_at"

func scanIdentityProvider(row scanner, poolID string) (*store.IdentityProvider, error) {
	p := store.IdentityProvider{PoolID: poolID}
	if err := row.Scan(&p.Name, &p.Type, &p.Identifiers, &p.Config, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// identifiers returns ids as the identifiers column holds them (never NULL).
func identifiers(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// isUniqueViolation reports whether err is a unique violation.
func isUniqueViolation(err error) bool {
	e := pgError(err)
	return e != nil && e.Code == uniqueViolation
}

// putIdentifiers indexes a provider's identifiers in idp_identifiers,
// replacing what was there.
func putIdentifiers(ctx context.Context, tx pgx.Tx, pk int64, name string, ids []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM idp_identifiers WHERE pool = $1 AND provider = $2", pk, name); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, "INSERT INTO idp_identifiers (pool, identifier, provider) SELECT $1, x, $3 FROM unnest($2::text[]) AS x",
		pk, ids, name)
	if isUniqueViolation(err) {
		return store.ErrIdentifierConflict
	}
	return err
}

// CreateIdentityProvider implements store.IdentityProviders. It locks the
// pool's row against other creates (FOR NO KEY UPDATE, which leaves the
// pool's other children free to be written) so that the count against max
// stays true until the insert commits.
func (s *Store) CreateIdentityProvider(ctx context.Context, p *store.IdentityProvider, max int) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var pk int64
		if err := tx.QueryRow(ctx, "SELECT pk FROM pools WHERE id = $1 FOR NO KEY UPDATE", p.PoolID).Scan(&pk); err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM identity_providers WHERE pool = $1", pk).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, `INSERT INTO identity_providers (pool, name, type, identifiers, config, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pk, p.Name, p.Type, identifiers(p.Identifiers), p.Config, ts(p.CreatedAt), ts(p.UpdatedAt))
		if isUniqueViolation(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		return putIdentifiers(ctx, tx, pk, p.Name, p.Identifiers)
	})
	if err != nil {
		return fmt.Errorf("postgres: create identity provider: %w", err)
	}
	return nil
}

// GetIdentityProvider implements store.IdentityProviders.
func (s *Store) GetIdentityProvider(ctx context.Context, poolID, name string) (*store.IdentityProvider, error) {
	p, err := scanIdentityProvider(s.q().QueryRow(ctx,
		"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = $2", poolID, name), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get identity provider: %w", err)
	}
	return p, nil
}

// getIDPByIdentifier reads the provider holding the identifier $2 in the
// pool whose ID is $1.
const getIDPByIdentifier = "SELECT " + idpCols + " FROM idp_identifiers x JOIN identity_providers i ON i.pool = x.pool AND i.name = x.provider" +
	" WHERE x.pool = " + poolPK + " AND x.identifier = $2"

// GetIdentityProviderByIdentifier implements store.IdentityProviders.
func (s *Store) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*store.IdentityProvider, error) {
	p, err := scanIdentityProvider(s.q().QueryRow(ctx, getIDPByIdentifier, poolID, identifier), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get identity provider by identifier: %w", err)
	}
	return p, nil
}

// UpdateIdentityProvider implements store.IdentityProviders.
func (s *Store) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(p *store.IdentityProvider) error) (*store.IdentityProvider, error) {
	var p *store.IdentityProvider
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		var pk int64
		row := tx.QueryRow(ctx, "SELECT i.pool, "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = $2 FOR UPDATE", poolID, name)
		old, err := scanIdentityProvider(prefixScanner{row, &pk}, poolID)
		if err != nil {
			return err
		}
		p = &store.IdentityProvider{}
		*p = *old
		p.Identifiers = slices.Clone(old.Identifiers)
		if fnErr = fn(p); fnErr != nil {
			return fnErr
		}
		p.PoolID, p.Name, p.Type, p.CreatedAt, p.UpdatedAt = old.PoolID, old.Name, old.Type, old.CreatedAt, ts(p.UpdatedAt)
		if _, err := tx.Exec(ctx, "UPDATE identity_providers SET identifiers = $3, config = $4, updated_at = $5 WHERE pool = $1 AND name = $2",
			pk, name, identifiers(p.Identifiers), p.Config, p.UpdatedAt); err != nil {
			return err
		}
		if slices.Equal(p.Identifiers, old.Identifiers) {
			return nil
		}
		return putIdentifiers(ctx, tx, pk, name, p.Identifiers)
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update identity provider: %w", err)
	}
	return p, nil
}

// prefixScanner scans a row whose first column goes to first and the rest
// to the destinations its caller gives.
type prefixScanner struct {
	row   scanner
	first any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append([]any{p.first}, dest...)...) }

// DeleteIdentityProvider implements store.IdentityProviders. Its
// identifiers go by the foreign key's cascade.
func (s *Store) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	if err := changed(s.exec(ctx, "DELETE FROM identity_providers WHERE pool = "+poolPK+" AND name = $2", poolID, name)); err != nil {
		return fmt.Errorf("postgres: delete identity provider: %w", err)
	}
	return nil
}

// ListIdentityProviders implements store.IdentityProviders.
func (s *Store) ListIdentityProviders(ctx context.Context, poolID string, page store.Page) ([]store.IdentityProvider, string, error) {
	list, next, err := listPage(ctx, s.q(), page, []string{"identity-providers", poolID},
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
		return nil, "", fmt.Errorf("postgres: list identity providers: %w", err)
	}
	return list, next, nil
}
