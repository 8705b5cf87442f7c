package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// secretJSON is how a client secret is kept in clients.secrets.
type secretJSON struct {
	ID        string    `json:"id"`
	Sealed    []byte    `json:"sealed"`
	CreatedAt time.Time `json:"created_at"`
}

func encodeSecrets(ss []store.ClientSecret) []secretJSON {
	js := make([]secretJSON, len(ss))
	for i, s := range ss {
		js[i] = secretJSON{ID: s.ID, Sealed: s.Sealed, CreatedAt: ts(s.CreatedAt)}
	}
	return js
}

func decodeSecrets(js []secretJSON) []store.ClientSecret {
	var ss []store.ClientSecret
	for _, j := range js {
		ss = append(ss, store.ClientSecret{ID: j.ID, Sealed: j.Sealed, CreatedAt: j.CreatedAt.UTC()})
	}
	return ss
}

const clientCols = "p.id, c.id, c.name, c.config, c.secrets, c.created_at, c.updated_at"

// clientFrom joins each client to its pool's ID.
const clientFrom = " FROM clients c JOIN pools p ON p.pk = c.pool"

func scanClient(row scanner) (*store.Client, error) {
	var c store.Client
	var secrets []secretJSON
	if err := row.Scan(&c.PoolID, &c.ID, &c.Name, &c.Config, &secrets, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	c.Secrets = decodeSecrets(secrets)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateClient implements store.Clients.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	err := changed(s.exec(ctx, `INSERT INTO clients (id, pool, name, config, secrets, created_at, updated_at)
		SELECT $2, pk, $3, $4, $5, $6, $7 FROM pools WHERE id = $1`,
		c.PoolID, c.ID, c.Name, c.Config, encodeSecrets(c.Secrets), ts(c.CreatedAt), ts(c.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("postgres: create client: %w", mapErr(err))
	}
	return nil
}

// GetClient implements store.Clients.
func (s *Store) GetClient(ctx context.Context, poolID, clientID string) (*store.Client, error) {
	c, err := scanClient(s.q().QueryRow(ctx, "SELECT "+clientCols+clientFrom+" WHERE p.id = $1 AND c.id = $2", poolID, clientID))
	if err != nil {
		return nil, fmt.Errorf("postgres: get client: %w", err)
	}
	return c, nil
}

// GetClientByID implements store.Clients.
func (s *Store) GetClientByID(ctx context.Context, clientID string) (*store.Client, error) {
	c, err := scanClient(s.q().QueryRow(ctx, "SELECT "+clientCols+clientFrom+" WHERE c.id = $1", clientID))
	if err != nil {
		return nil, fmt.Errorf("postgres: get client: %w", err)
	}
	return c, nil
}

// UpdateClient implements store.Clients.
func (s *Store) UpdateClient(ctx context.Context, poolID, clientID string, fn func(c *store.Client) error) (*store.Client, error) {
	var c *store.Client
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanClient(tx.QueryRow(ctx,
			"SELECT "+clientCols+clientFrom+" WHERE p.id = $1 AND c.id = $2 FOR UPDATE OF c", poolID, clientID))
		if err != nil {
			return err
		}
		c = &store.Client{}
		*c = *old
		c.Config = slices.Clone(old.Config)
		c.Secrets = slices.Clone(old.Secrets)
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		c.PoolID, c.ID, c.CreatedAt, c.UpdatedAt = old.PoolID, old.ID, old.CreatedAt, ts(c.UpdatedAt)
		c.Secrets = decodeSecrets(encodeSecrets(c.Secrets))
		_, err = tx.Exec(ctx, "UPDATE clients SET name = $1, config = $2, secrets = $3, updated_at = $4 WHERE id = $5",
			c.Name, c.Config, encodeSecrets(c.Secrets), c.UpdatedAt, c.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update client: %w", err)
	}
	return c, nil
}

// DeleteClient implements store.Clients.
func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	if err := changed(s.exec(ctx, "DELETE FROM clients WHERE pool = "+poolPK+" AND id = $2", poolID, clientID)); err != nil {
		return fmt.Errorf("postgres: delete client: %w", err)
	}
	return nil
}

// ListClients implements store.Clients.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, string, error) {
	clients, next, err := listPage(ctx, s.q(), page, []string{"clients", poolID},
		"SELECT "+clientCols+clientFrom+" WHERE c.pool = "+poolPK, []any{poolID}, "c.id",
		func(row scanner) (store.Client, error) {
			c, err := scanClient(row)
			if err != nil {
				return store.Client{}, err
			}
			return *c, nil
		},
		func(c store.Client) string { return c.ID })
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list clients: %w", err)
	}
	return clients, next, nil
}
