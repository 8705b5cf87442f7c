package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

// scopeJSON is how a scope is kept in resource_servers.scopes.
type scopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func encodeScopes(ss []store.Scope) (string, error) {
	js := make([]scopeJSON, len(ss))
	for i, s := range ss {
		js[i] = scopeJSON(s)
	}
	b, err := json.Marshal(js)
	return string(b), err
}

func decodeScopes(s string) ([]store.Scope, error) {
	var js []scopeJSON
	if err := json.Unmarshal([]byte(s), &js); err != nil {
		return nil, fmt.Errorf("resource server scopes: %w", err)
	}
	var ss []store.Scope
	for _, j := range js {
		ss = append(ss, store.Scope(j))
	}
	return ss, nil
}

const resourceServerCols = "r.identifier, r.name, r.scopes, r.created_at, r.updated_at"

func scanResourceServer(row scanner, poolID string) (*store.ResourceServer, error) {
	rs := store.ResourceServer{PoolID: poolID}
	var scopes string
	var created, updated int64
	if err := row.Scan(&rs.Identifier, &rs.Name, &scopes, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	var err error
	if rs.Scopes, err = decodeScopes(scopes); err != nil {
		return nil, err
	}
	rs.CreatedAt, rs.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &rs, nil
}

// CreateResourceServer implements store.ResourceServers. The count and the
// insert share the single writer's transaction.
func (s *Store) CreateResourceServer(ctx context.Context, rs *store.ResourceServer, max int) error {
	scopes, err := encodeScopes(rs.Scopes)
	if err == nil {
		err = s.write(ctx, func(tx *preparer) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM resource_servers WHERE pool = "+poolPK, rs.PoolID).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return store.ErrLimit
			}
			err := affected(tx.ExecContext(ctx, `INSERT INTO resource_servers (pool, identifier, name, scopes, created_at, updated_at)
				SELECT pk, ?, ?, ?, ?, ? FROM pools WHERE id = ?`,
				rs.Identifier, rs.Name, scopes, micros(rs.CreatedAt), micros(rs.UpdatedAt), rs.PoolID))
			if isUnique(err) {
				return store.ErrConflict
			}
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: create resource server: %w", err)
	}
	return nil
}

// GetResourceServer implements store.ResourceServers.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*store.ResourceServer, error) {
	rs, err := scanResourceServer(s.reader().QueryRowContext(ctx,
		"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = ?", poolID, identifier), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get resource server: %w", err)
	}
	return rs, nil
}

// UpdateResourceServer implements store.ResourceServers.
func (s *Store) UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(rs *store.ResourceServer) error) (*store.ResourceServer, error) {
	var rs *store.ResourceServer
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanResourceServer(tx.QueryRowContext(ctx,
			"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = ?", poolID, identifier), poolID)
		if err != nil {
			return err
		}
		rs = &store.ResourceServer{}
		*rs = *old
		rs.Scopes = slices.Clone(old.Scopes)
		if fnErr = fn(rs); fnErr != nil {
			return fnErr
		}
		rs.PoolID, rs.Identifier, rs.CreatedAt = old.PoolID, old.Identifier, old.CreatedAt
		scopes, err := encodeScopes(rs.Scopes)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE resource_servers SET name = ?, scopes = ?, updated_at = ? WHERE pool = "+poolPK+" AND identifier = ?",
			rs.Name, scopes, micros(rs.UpdatedAt), poolID, identifier)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update resource server: %w", err)
	}
	rs.UpdatedAt = fromMicros(micros(rs.UpdatedAt))
	return rs, nil
}

// DeleteResourceServer implements store.ResourceServers.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	err := affected(s.writer().ExecContext(ctx,
		"DELETE FROM resource_servers WHERE pool = "+poolPK+" AND identifier = ?", poolID, identifier))
	if err != nil {
		return fmt.Errorf("sqlite: delete resource server: %w", err)
	}
	return nil
}

// ListResourceServers implements store.ResourceServers.
func (s *Store) ListResourceServers(ctx context.Context, poolID string, page store.Page) ([]store.ResourceServer, string, error) {
	list, next, err := listPage(ctx, s.reader(), page, []string{"resource-servers", poolID},
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
		return nil, "", fmt.Errorf("sqlite: list resource servers: %w", err)
	}
	return list, next, nil
}
