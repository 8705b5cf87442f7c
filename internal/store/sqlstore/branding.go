package sqlstore

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const brandingCols = "b.id, b.client_id, b.settings, b.assets, b.use_cognito_provided_values, b.created_at, b.updated_at"

const brandingFrom = " FROM managed_login_brandings b"

func scanBranding(row Row, poolID string) (*store.Branding, error) {
	b := store.Branding{PoolID: poolID}
	if err := row.Scan(&b.ID, &b.ClientID, &b.Settings, &b.Assets, &b.UseCognitoProvidedValues, at(&b.CreatedAt), at(&b.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// CreateBranding implements store.Brandings.
func (s *Store) CreateBranding(ctx context.Context, b *store.Branding) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO managed_login_brandings
		(id, pool, client_id, settings, assets, use_cognito_provided_values, created_at, updated_at)
		SELECT $3, p.pk, c.id, $4, $5, $6, $7, $8 FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = $1 AND c.id = $2`,
		b.PoolID, b.ClientID, b.ID, b.Settings, b.Assets, b.UseCognitoProvidedValues, s.t(b.CreatedAt), s.t(b.UpdatedAt)))
	if err != nil {
		return s.errorf("create branding", s.mapErr(err))
	}
	return nil
}

// GetBranding implements store.Brandings.
func (s *Store) GetBranding(ctx context.Context, poolID, id string) (*store.Branding, error) {
	b, err := scanBranding(s.c.Read().QueryRow(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = $2", poolID, id), poolID)
	if err != nil {
		return nil, s.errorf("get branding", err)
	}
	return b, nil
}

// GetClientBranding implements store.Brandings.
func (s *Store) GetClientBranding(ctx context.Context, poolID, clientID string) (*store.Branding, error) {
	b, err := scanBranding(s.c.Read().QueryRow(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.client_id = $2", poolID, clientID), poolID)
	if err != nil {
		return nil, s.errorf("get client branding", err)
	}
	return b, nil
}

// UpdateBranding implements store.Brandings.
func (s *Store) UpdateBranding(ctx context.Context, poolID, id string, fn func(b *store.Branding) error) (*store.Branding, error) {
	var b *store.Branding
	err := s.update(ctx, "update branding", func(tx Executor) error {
		old, err := scanBranding(tx.QueryRow(ctx,
			"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = $2"+s.d.Lock("FOR UPDATE"), poolID, id), poolID)
		if err != nil {
			return err
		}
		b = &store.Branding{}
		*b = *old
		b.Settings, b.Assets = slices.Clone(old.Settings), slices.Clone(old.Assets)
		if err := call(fn(b)); err != nil {
			return err
		}
		b.PoolID, b.ClientID, b.ID, b.CreatedAt, b.UpdatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt, micro(b.UpdatedAt)
		_, err = tx.Exec(ctx, `UPDATE managed_login_brandings SET settings = $1, assets = $2, use_cognito_provided_values = $3, updated_at = $4
			WHERE id = $5`, b.Settings, b.Assets, b.UseCognitoProvidedValues, s.t(b.UpdatedAt), b.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// DeleteBranding implements store.Brandings.
func (s *Store) DeleteBranding(ctx context.Context, poolID, id string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM managed_login_brandings WHERE pool = "+poolPK+" AND id = $2", poolID, id)); err != nil {
		return s.errorf("delete branding", err)
	}
	return nil
}
