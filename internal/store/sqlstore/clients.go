package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// secretJSON is how a client secret is kept in clients.secrets. CreatedAt
// is what the dialect's JSONTime gives: microseconds (SQLite) or an RFC 3339
// time (PostgreSQL).
type secretJSON struct {
	ID        string   `json:"id"`
	Sealed    []byte   `json:"sealed"`
	CreatedAt jsonTime `json:"created_at"`
}

// jsonTime is a time inside a JSON document, written as the dialect's
// JSONTime gives and read in either form.
type jsonTime struct {
	t   time.Time
	enc any
}

func (j jsonTime) MarshalJSON() ([]byte, error) { return json.Marshal(j.enc) }

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	var micros int64
	if err := json.Unmarshal(b, &micros); err == nil {
		j.t = time.UnixMicro(micros).UTC()
		return nil
	}
	if err := json.Unmarshal(b, &j.t); err != nil {
		return err
	}
	j.t = j.t.UTC()
	return nil
}

func (s *Store) encodeSecrets(ss []store.ClientSecret) (string, error) {
	js := make([]secretJSON, len(ss))
	for i, c := range ss {
		js[i] = secretJSON{ID: c.ID, Sealed: c.Sealed, CreatedAt: jsonTime{enc: s.d.JSONTime(micro(c.CreatedAt))}}
	}
	b, err := json.Marshal(js)
	return string(b), err
}

func decodeSecrets(b []byte) ([]store.ClientSecret, error) {
	var js []secretJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, fmt.Errorf("client secrets: %w", err)
	}
	var ss []store.ClientSecret
	for _, j := range js {
		ss = append(ss, store.ClientSecret{ID: j.ID, Sealed: j.Sealed, CreatedAt: j.CreatedAt.t})
	}
	return ss, nil
}

const clientCols = "p.id, c.id, c.name, c.config, c.secrets, c.created_at, c.updated_at"

// clientFrom joins each client to its pool's ID.
const clientFrom = " FROM clients c JOIN pools p ON p.pk = c.pool"

// scanClient reads a client's columns (clientCols) after extra.
func scanClient(row Row, extra ...any) (*store.Client, error) {
	var c store.Client
	var secrets []byte
	if err := row.Scan(append(extra, &c.PoolID, &c.ID, &c.Name, &c.Config, &secrets, at(&c.CreatedAt), at(&c.UpdatedAt))...); err != nil {
		return nil, notFound(err)
	}
	var err error
	if c.Secrets, err = decodeSecrets(secrets); err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateClient implements store.Clients.
func (s *Store) CreateClient(ctx context.Context, c *store.Client, max int) error {
	secrets, err := s.encodeSecrets(c.Secrets)
	if err == nil {
		err = s.c.Write(ctx, func(tx Executor) error {
			pk, err := s.claimPoolSlot(ctx, tx, c.PoolID, "clients", max)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO clients (id, pool, name, config, secrets, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				c.ID, pk, c.Name, c.Config, secrets, s.t(c.CreatedAt), s.t(c.UpdatedAt))
			return err
		})
	}
	if err != nil {
		return s.errorf("create client", s.mapErr(err))
	}
	return nil
}

// GetClient implements store.Clients.
func (s *Store) GetClient(ctx context.Context, poolID, clientID string) (*store.Client, error) {
	c, err := scanClient(s.c.Read().QueryRow(ctx, "SELECT "+clientCols+clientFrom+" WHERE p.id = $1 AND c.id = $2", poolID, clientID))
	if err != nil {
		return nil, s.errorf("get client", err)
	}
	return c, nil
}

// GetClientByID implements store.Clients.
func (s *Store) GetClientByID(ctx context.Context, clientID string) (*store.Client, error) {
	c, err := scanClient(s.c.Read().QueryRow(ctx, "SELECT "+clientCols+clientFrom+" WHERE c.id = $1", clientID))
	if err != nil {
		return nil, s.errorf("get client", err)
	}
	return c, nil
}

// GetClientByIDWithPoolRev implements store.Clients.
func (s *Store) GetClientByIDWithPoolRev(ctx context.Context, clientID string) (*store.Client, int64, error) {
	var rev int64
	c, err := scanClient(s.c.Read().QueryRow(ctx, "SELECT p.rev, "+clientCols+clientFrom+" WHERE c.id = $1", clientID), &rev)
	if err != nil {
		return nil, 0, s.errorf("get client with pool rev", err)
	}
	return c, rev, nil
}

// UpdateClient implements store.Clients.
func (s *Store) UpdateClient(ctx context.Context, poolID, clientID string, fn func(c *store.Client) error) (*store.Client, error) {
	var c *store.Client
	err := s.update(ctx, "update client", func(ex Executor) error {
		old, err := scanClient(ex.QueryRow(ctx,
			"SELECT "+clientCols+clientFrom+" WHERE p.id = $1 AND c.id = $2"+s.d.Lock("FOR UPDATE OF c"), poolID, clientID))
		if err != nil {
			return err
		}
		c = &store.Client{}
		*c = *old
		c.Config = slices.Clone(old.Config)
		c.Secrets = slices.Clone(old.Secrets)
		if err := call(fn(c)); err != nil {
			return err
		}
		c.PoolID, c.ID, c.CreatedAt, c.UpdatedAt = old.PoolID, old.ID, old.CreatedAt, micro(c.UpdatedAt)
		for i := range c.Secrets {
			c.Secrets[i].CreatedAt = micro(c.Secrets[i].CreatedAt)
		}
		secrets, err := s.encodeSecrets(c.Secrets)
		if err != nil {
			return err
		}
		_, err = ex.Exec(ctx, "UPDATE clients SET name = $1, config = $2, secrets = $3, updated_at = $4 WHERE id = $5",
			c.Name, c.Config, secrets, s.t(c.UpdatedAt), c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteClient implements store.Clients.
func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM clients WHERE pool = "+poolPK+" AND id = $2", poolID, clientID)); err != nil {
		return s.errorf("delete client", err)
	}
	return nil
}

// ListClients implements store.Clients.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, string, error) {
	clients, next, err := listPage(ctx, s.c.Read(), page, []string{"clients", poolID},
		"SELECT "+clientCols+clientFrom+" WHERE c.pool = "+poolPK, []any{poolID}, "c.id",
		func(row Row) (*store.Client, error) { return scanClient(row) },
		func(c store.Client) string { return c.ID })
	if err != nil {
		return nil, "", s.errorf("list clients", err)
	}
	return clients, next, nil
}
