package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const brandingCols = "b.id, b.client_id, b.settings, b.assets, b.use_cognito_provided_values, b.created_at, b.updated_at"

const brandingFrom = " FROM managed_login_brandings b"

func scanBranding(row scanner, poolID string) (*store.Branding, error) {
	b := store.Branding{PoolID: poolID}
	if err := row.Scan(&b.ID, &b.ClientID, &b.Settings, &b.Assets, &b.UseCognitoProvidedValues, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return &b, nil
}

// CreateBranding implements store.Brandings.
func (s *Store) CreateBranding(ctx context.Context, b *store.Branding) error {
	err := changed(s.exec(ctx, `INSERT INTO managed_login_brandings
		(id, pool, client_id, settings, assets, use_cognito_provided_values, created_at, updated_at)
		SELECT $3, p.pk, c.id, $4, $5, $6, $7, $8 FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = $1 AND c.id = $2`,
		b.PoolID, b.ClientID, b.ID, b.Settings, b.Assets, b.UseCognitoProvidedValues, ts(b.CreatedAt), ts(b.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("postgres: create branding: %w", mapErr(err))
	}
	return nil
}

// GetBranding implements store.Brandings.
func (s *Store) GetBranding(ctx context.Context, poolID, id string) (*store.Branding, error) {
	b, err := scanBranding(s.q().QueryRow(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = $2", poolID, id), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get branding: %w", err)
	}
	return b, nil
}

// GetClientBranding implements store.Brandings.
func (s *Store) GetClientBranding(ctx context.Context, poolID, clientID string) (*store.Branding, error) {
	b, err := scanBranding(s.q().QueryRow(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.client_id = $2", poolID, clientID), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get client branding: %w", err)
	}
	return b, nil
}

// UpdateBranding implements store.Brandings.
func (s *Store) UpdateBranding(ctx context.Context, poolID, id string, fn func(b *store.Branding) error) (*store.Branding, error) {
	var b *store.Branding
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanBranding(tx.QueryRow(ctx,
			"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = $2 FOR UPDATE", poolID, id), poolID)
		if err != nil {
			return err
		}
		b = &store.Branding{}
		*b = *old
		b.Settings, b.Assets = slices.Clone(old.Settings), slices.Clone(old.Assets)
		if fnErr = fn(b); fnErr != nil {
			return fnErr
		}
		b.PoolID, b.ClientID, b.ID, b.CreatedAt, b.UpdatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt, ts(b.UpdatedAt)
		_, err = tx.Exec(ctx, `UPDATE managed_login_brandings SET settings = $1, assets = $2, use_cognito_provided_values = $3, updated_at = $4
			WHERE id = $5`, b.Settings, b.Assets, b.UseCognitoProvidedValues, b.UpdatedAt, b.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update branding: %w", err)
	}
	return b, nil
}

// DeleteBranding implements store.Brandings.
func (s *Store) DeleteBranding(ctx context.Context, poolID, id string) error {
	if err := changed(s.exec(ctx, "DELETE FROM managed_login_brandings WHERE pool = "+poolPK+" AND id = $2", poolID, id)); err != nil {
		return fmt.Errorf("postgres: delete branding: %w", err)
	}
	return nil
}
