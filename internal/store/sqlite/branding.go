package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const brandingCols = "b.id, b.client_id, b.settings, b.assets, b.use_cognito_provided_values, b.created_at, b.updated_at"

const brandingFrom = " FROM managed_login_brandings b"

func scanBranding(row scanner, poolID string) (*store.Branding, error) {
	b := store.Branding{PoolID: poolID}
	var created, updated int64
	if err := row.Scan(&b.ID, &b.ClientID, &b.Settings, &b.Assets, &b.UseCognitoProvidedValues, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	b.CreatedAt, b.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &b, nil
}

// CreateBranding implements store.Brandings.
func (s *Store) CreateBranding(ctx context.Context, b *store.Branding) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO managed_login_brandings
		(id, pool, client_id, settings, assets, use_cognito_provided_values, created_at, updated_at)
		SELECT ?, p.pk, c.id, ?, ?, ?, ?, ? FROM pools p JOIN clients c ON c.pool = p.pk WHERE p.id = ? AND c.id = ?`,
		b.ID, b.Settings, b.Assets, b.UseCognitoProvidedValues, micros(b.CreatedAt), micros(b.UpdatedAt), b.PoolID, b.ClientID))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create branding: %w", err)
	}
	return nil
}

// GetBranding implements store.Brandings.
func (s *Store) GetBranding(ctx context.Context, poolID, id string) (*store.Branding, error) {
	b, err := scanBranding(s.reader().QueryRowContext(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = ?", poolID, id), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get branding: %w", err)
	}
	return b, nil
}

// GetClientBranding implements store.Brandings.
func (s *Store) GetClientBranding(ctx context.Context, poolID, clientID string) (*store.Branding, error) {
	b, err := scanBranding(s.reader().QueryRowContext(ctx,
		"SELECT "+brandingCols+brandingFrom+" WHERE b.client_id = ? AND b.pool = "+poolPK, clientID, poolID), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get client branding: %w", err)
	}
	return b, nil
}

// UpdateBranding implements store.Brandings.
func (s *Store) UpdateBranding(ctx context.Context, poolID, id string, fn func(b *store.Branding) error) (*store.Branding, error) {
	var b *store.Branding
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanBranding(tx.QueryRowContext(ctx,
			"SELECT "+brandingCols+brandingFrom+" WHERE b.pool = "+poolPK+" AND b.id = ?", poolID, id), poolID)
		if err != nil {
			return err
		}
		b = &store.Branding{}
		*b = *old
		b.Settings, b.Assets = slices.Clone(old.Settings), slices.Clone(old.Assets)
		if fnErr = fn(b); fnErr != nil {
			return fnErr
		}
		b.PoolID, b.ClientID, b.ID, b.CreatedAt = old.PoolID, old.ClientID, old.ID, old.CreatedAt
		_, err = tx.ExecContext(ctx, `UPDATE managed_login_brandings SET settings = ?, assets = ?, use_cognito_provided_values = ?, updated_at = ?
			WHERE id = ?`, b.Settings, b.Assets, b.UseCognitoProvidedValues, micros(b.UpdatedAt), b.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update branding: %w", err)
	}
	b.UpdatedAt = fromMicros(micros(b.UpdatedAt))
	return b, nil
}

// DeleteBranding implements store.Brandings.
func (s *Store) DeleteBranding(ctx context.Context, poolID, id string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM managed_login_brandings WHERE id = ? AND pool = "+poolPK, id, poolID))
	if err != nil {
		return fmt.Errorf("sqlite: delete branding: %w", err)
	}
	return nil
}
