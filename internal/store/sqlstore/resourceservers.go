package sqlstore

import (
	"context"
	"slices"

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

func scanResourceServer(row Row, poolID string) (*store.ResourceServer, error) {
	rs := store.ResourceServer{PoolID: poolID}
	var scopes []scopeJSON
	if err := row.Scan(&rs.Identifier, &rs.Name, JSONDest(&scopes), at(&rs.CreatedAt), at(&rs.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	rs.Scopes = decodeScopes(scopes)
	return &rs, nil
}

// CreateResourceServer implements store.ResourceServers.
func (s *Store) CreateResourceServer(ctx context.Context, rs *store.ResourceServer, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		pk, err := s.claimPoolSlot(ctx, tx, rs.PoolID, "resource_servers", max)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO resource_servers (pool, identifier, name, scopes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			pk, rs.Identifier, rs.Name, jsonArg(encodeScopes(rs.Scopes)), s.t(rs.CreatedAt), s.t(rs.UpdatedAt))
		return err
	})
	if err != nil {
		return s.errorf("create resource server", s.mapErr(err))
	}
	return nil
}

// GetResourceServer implements store.ResourceServers.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*store.ResourceServer, error) {
	rs, err := scanResourceServer(s.c.Read().QueryRow(ctx,
		"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = $2", poolID, identifier), poolID)
	if err != nil {
		return nil, s.errorf("get resource server", err)
	}
	return rs, nil
}

// UpdateResourceServer implements store.ResourceServers.
func (s *Store) UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(rs *store.ResourceServer) error) (*store.ResourceServer, error) {
	var rs *store.ResourceServer
	err := s.update(ctx, "update resource server", func(tx Executor) error {
		old, err := scanResourceServer(tx.QueryRow(ctx,
			"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK+" AND r.identifier = $2"+s.d.Lock("FOR UPDATE"), poolID, identifier), poolID)
		if err != nil {
			return err
		}
		rs = &store.ResourceServer{}
		*rs = *old
		rs.Scopes = slices.Clone(old.Scopes)
		if err := call(fn(rs)); err != nil {
			return err
		}
		rs.PoolID, rs.Identifier, rs.CreatedAt, rs.UpdatedAt = old.PoolID, old.Identifier, old.CreatedAt, micro(rs.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE resource_servers SET name = $3, scopes = $4, updated_at = $5 WHERE pool = "+poolPK+" AND identifier = $2",
			poolID, identifier, rs.Name, jsonArg(encodeScopes(rs.Scopes)), s.t(rs.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// DeleteResourceServer implements store.ResourceServers.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM resource_servers WHERE pool = "+poolPK+" AND identifier = $2", poolID, identifier)); err != nil {
		return s.errorf("delete resource server", err)
	}
	return nil
}

// ListResourceServers implements store.ResourceServers.
func (s *Store) ListResourceServers(ctx context.Context, poolID string, page store.Page) ([]store.ResourceServer, string, error) {
	list, next, err := listPage(ctx, s.c.Read(), page, []string{"resource-servers", poolID},
		"SELECT "+resourceServerCols+" FROM resource_servers r WHERE r.pool = "+poolPK, []any{poolID}, "r.identifier",
		func(row Row) (*store.ResourceServer, error) { return scanResourceServer(row, poolID) },
		func(rs store.ResourceServer) string { return rs.Identifier })
	if err != nil {
		return nil, "", s.errorf("list resource servers", err)
	}
	return list, next, nil
}
