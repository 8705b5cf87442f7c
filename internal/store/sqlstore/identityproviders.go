package sqlstore

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const idpCols = "i.name, i.type, i.identifiers, i.config, i.created_at, i.updated_at"

func (s *Store) scanIdentityProvider(row Row, poolID string) (*store.IdentityProvider, error) {
	p := store.IdentityProvider{PoolID: poolID}
	if err := row.Scan(&p.Name, &p.Type, s.d.StringsDest(&p.Identifiers), &p.Config, at(&p.CreatedAt), at(&p.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// putIdentifiers indexes a provider's identifiers in idp_identifiers,
// replacing what was there.
func (s *Store) putIdentifiers(ctx context.Context, ex Executor, pk int64, name string, ids []string) error {
	if _, err := ex.Exec(ctx, "DELETE FROM idp_identifiers WHERE pool = $1 AND provider = $2", pk, name); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	args := []any{pk, name}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := ex.Exec(ctx, "INSERT INTO idp_identifiers (pool, provider, identifier) VALUES "+valueRows("$1, $2, ", 3, 1, len(ids)), args...)
	if s.d.IsUnique(err) {
		return store.ErrIdentifierConflict
	}
	return err
}

// CreateIdentityProvider implements store.IdentityProviders.
func (s *Store) CreateIdentityProvider(ctx context.Context, p *store.IdentityProvider, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		pk, err := s.claimPoolSlot(ctx, tx, p.PoolID, "identity_providers", max)
		if err != nil {
			return err
		}
		ids, err := s.d.Strings(p.Identifiers)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO identity_providers (pool, name, type, identifiers, config, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pk, p.Name, p.Type, ids, p.Config, s.t(p.CreatedAt), s.t(p.UpdatedAt))
		if s.d.IsUnique(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		return s.putIdentifiers(ctx, tx, pk, p.Name, p.Identifiers)
	})
	if err != nil {
		return s.errorf("create identity provider", err)
	}
	return nil
}

// GetIdentityProvider implements store.IdentityProviders.
func (s *Store) GetIdentityProvider(ctx context.Context, poolID, name string) (*store.IdentityProvider, error) {
	p, err := s.scanIdentityProvider(s.c.Read().QueryRow(ctx,
		"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = $2", poolID, name), poolID)
	if err != nil {
		return nil, s.errorf("get identity provider", err)
	}
	return p, nil
}

// getIDPByIdentifier reads the provider holding the identifier $2 in the
// pool whose ID is $1.
const getIDPByIdentifier = "SELECT " + idpCols + " FROM idp_identifiers x JOIN identity_providers i ON i.pool = x.pool AND i.name = x.provider" +
	" WHERE x.pool = " + poolPK + " AND x.identifier = $2"

// GetIdentityProviderByIdentifier implements store.IdentityProviders.
func (s *Store) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*store.IdentityProvider, error) {
	p, err := s.scanIdentityProvider(s.c.Read().QueryRow(ctx, getIDPByIdentifier, poolID, identifier), poolID)
	if err != nil {
		return nil, s.errorf("get identity provider by identifier", err)
	}
	return p, nil
}

// UpdateIdentityProvider implements store.IdentityProviders.
func (s *Store) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(p *store.IdentityProvider) error) (*store.IdentityProvider, error) {
	var p *store.IdentityProvider
	err := s.update(ctx, "update identity provider", func(tx Executor) error {
		var pk int64
		row := tx.QueryRow(ctx, "SELECT i.pool, "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK+" AND i.name = $2"+s.d.Lock("FOR UPDATE"), poolID, name)
		old, err := s.scanIdentityProvider(prefixScanner{row, &pk}, poolID)
		if err != nil {
			return err
		}
		p = &store.IdentityProvider{}
		*p = *old
		p.Identifiers = slices.Clone(old.Identifiers)
		if err := call(fn(p)); err != nil {
			return err
		}
		p.PoolID, p.Name, p.Type, p.CreatedAt, p.UpdatedAt = old.PoolID, old.Name, old.Type, old.CreatedAt, micro(p.UpdatedAt)
		ids, err := s.d.Strings(p.Identifiers)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE identity_providers SET identifiers = $3, config = $4, updated_at = $5 WHERE pool = $1 AND name = $2",
			pk, name, ids, p.Config, s.t(p.UpdatedAt)); err != nil {
			return err
		}
		if slices.Equal(p.Identifiers, old.Identifiers) {
			return nil
		}
		return s.putIdentifiers(ctx, tx, pk, name, p.Identifiers)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// prefixScanner scans a row whose first column goes to first and the rest
// to the destinations its caller gives.
type prefixScanner struct {
	row   Row
	first any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append([]any{p.first}, dest...)...) }

// DeleteIdentityProvider implements store.IdentityProviders. Its
// identifiers go by the foreign key's cascade.
func (s *Store) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM identity_providers WHERE pool = "+poolPK+" AND name = $2", poolID, name)); err != nil {
		return s.errorf("delete identity provider", err)
	}
	return nil
}

// ListIdentityProviders implements store.IdentityProviders.
func (s *Store) ListIdentityProviders(ctx context.Context, poolID string, page store.Page) ([]store.IdentityProvider, string, error) {
	list, next, err := listPage(ctx, s.c.Read(), page, []string{"identity-providers", poolID},
		"SELECT "+idpCols+" FROM identity_providers i WHERE i.pool = "+poolPK, []any{poolID}, "i.name",
		func(row Row) (*store.IdentityProvider, error) { return s.scanIdentityProvider(row, poolID) },
		func(p store.IdentityProvider) string { return p.Name })
	if err != nil {
		return nil, "", s.errorf("list identity providers", err)
	}
	return list, next, nil
}
