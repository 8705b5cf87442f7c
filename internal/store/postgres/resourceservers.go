package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// scopeJSON is how a scope is kept in resource_servers.scopes.
type scopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func encodeScopes(ss []store.Scope) []scopeJSON {
	js := make([]scopeJSON, len(ss))
	for i, s := range ss {
		js[i] = scopeJSON(s)
	}
	return js
}

func decodeScopes(js []scopeJSON) []store.Scope {
	var ss []store.Scope
	for _, j := range js {
		ss = append(ss, store.Scope(j))
	}
	return ss
}

const resourceServerCols = "r.identifier, r.name, r.scopes, r.created_at, r.updated_at"

func scanResourceServer(row scanner, poolID string) (*store.ResourceServer, error) {
	rs := store.ResourceServer{PoolID: poolID}
	var scopes []scopeJSON
	if err := row.Scan(&rs.Identifier, &rs.Name, &scopes, &rs.CreatedAt, &rs.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	rs.Scopes = decodeScopes(scopes)
	rs.CreatedAt, rs.UpdatedAt = rs.CreatedAt.UTC(), rs.UpdatedAt.UTC()
	return &rs, nil
}

// CreateResourceServer implements store.ResourceServers. It locks the pool's
// row against other creates (FOR NO KEY UPDATE, which leaves the pool's
// other children free to be written) so that the count against max stays
// true until the insert commits.
func (s *Store) CreateResourceServer(ctx context.Context, rs *store.ResourceServer, max int) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var pk int64
		if err := tx.QueryRow(ctx, "SELECT pk FROM pools WHERE id = $1 FOR NO KEY UPDATE", rs.PoolID).Scan(&pk); err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM resource_servers WHERE pool = $1", pk).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, `INSERT INTO resource_servers (pool, identifier, name, scopes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			pk, rs.Identifier, rs.Name, encodeScopes(rs.Scopes), ts(rs.CreatedAt), ts(rs.UpdatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create resource server: %w", mapErr(err))
	}
	return nil
}

// GetResourceServer implements store.ResourceServers.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*store.ResourceServer, error) {
	rs, err := scanResourceServer(s.q().QueryRow(ctx,
		"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = $2", poolID, identifier), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get resource server: %w", err)
	}
	return rs, nil
}

// UpdateResourceServer implements store.ResourceServers.
func (s *Store) UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(rs *store.ResourceServer) error) (*store.ResourceServer, error) {
	var rs *store.ResourceServer
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanResourceServer(tx.QueryRow(ctx,
			"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = $2 FOR UPDATE", poolID, identifier), poolID)
		if err != nil {
			return err
		}
		rs = &store.ResourceServer{}
		*rs = *old
		rs.Scopes = slices.Clone(old.Scopes)
		if fnErr = fn(rs); fnErr != nil {
			return fnErr
		}
		rs.PoolID, rs.Identifier, rs.CreatedAt, rs.UpdatedAt = old.PoolID, old.Identifier, old.CreatedAt, ts(rs.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE resource_servers SET name = $3, scopes = $4, updated_at = $5 WHERE pool = "+poolPK+" AND identifier = $2",
			poolID, identifier, rs.Name, encodeScopes(rs.Scopes), rs.UpdatedAt)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update resource server: %w", err)
	}
	return rs, nil
}

// DeleteResourceServer implements store.ResourceServers.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if err := changed(s.exec(ctx, "DELETE FROM resource_servers WHERE pool = "+poolPK+" AND identifier = $2", poolID, identifier)); err != nil {
		return fmt.Errorf("postgres: delete resource server: %w", err)
	}
	return nil
}

// ListResourceServers implements store.ResourceServers.
func (s *Store) ListResourceServers(ctx context.Context, poolID string, page store.Page) ([]store.ResourceServer, string, error) {
	list, next, err := listPage(ctx, s.q(), page, []string{"resource-servers", poolID},
		"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK, []any{poolID}, "r.identifier",
		func(row scanner) (store.ResourceServer, error) {
			rs, err := scanResourceServer(row, poolID)
			if err != nil {
				return store.ResourceServer{}, err
			}
			return *rs, nil
		},
		func(rs store.ResourceServer) string { return rs.Identifier })
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list resource servers: %w", err)
	}
	return list, next, nil
}
