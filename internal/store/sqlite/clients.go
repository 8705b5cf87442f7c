package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

// secretJSON is how a client secret is kept in clients.secrets.
type secretJSON struct {
	ID        string `json:"id"`
	Sealed    []byte `json:"sealed"`
	CreatedAt int64  `json:"created_at"` // micros
}

func encodeSecrets(ss []store.ClientSecret) (string, error) {
	js := make([]secretJSON, len(ss))
	for i, s := range ss {
		js[i] = secretJSON{ID: s.ID, Sealed: s.Sealed, CreatedAt: micros(s.CreatedAt)}
	}
	b, err := json.Marshal(js)
	return string(b), err
}

func decodeSecrets(s string) ([]store.ClientSecret, error) {
	var js []secretJSON
	if err := json.Unmarshal([]byte(s), &js); err != nil {
		return nil, fmt.Errorf("client secrets: %w", err)
	}
	var ss []store.ClientSecret
	for _, j := range js {
		ss = append(ss, store.ClientSecret{ID: j.ID, Sealed: j.Sealed, CreatedAt: fromMicros(j.CreatedAt)})
	}
	return ss, nil
}

const clientCols = "p.id, c.id, c.name, c.config, c.secrets, c.created_at, c.updated_at"

// clientFrom joins each client to its pool's ID.
const clientFrom = " FROM clients c JOIN pools p ON p.pk = c.pool"

func scanClient(row scanner) (*store.Client, error) {
	var c store.Client
	var secrets string
	var created, updated int64
	if err := row.Scan(&c.PoolID, &c.ID, &c.Name, &c.Config, &secrets, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	var err error
	if c.Secrets, err = decodeSecrets(secrets); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// CreateClient implements store.Clients.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	secrets, err := encodeSecrets(c.Secrets)
	if err == nil {
		err = affected(s.writer().ExecContext(ctx,
			"INSERT INTO clients (id, pool, name, config, secrets, created_at, updated_at) SELECT ?, pk, ?, ?, ?, ?, ? FROM pools WHERE id = ?",
			c.ID, c.Name, c.Config, secrets, micros(c.CreatedAt), micros(c.UpdatedAt), c.PoolID))
	}
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create client: %w", err)
	}
	return nil
}

// GetClient implements store.Clients.
func (s *Store) GetClient(ctx context.Context, poolID, clientID string) (*store.Client, error) {
	c, err := scanClient(s.reader().QueryRowContext(ctx,
		"SELECT "+clientCols+clientFrom+" WHERE c.id = ? AND p.id = ?", clientID, poolID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get client: %w", err)
	}
	return c, nil
}

// GetClientByID implements store.Clients.
func (s *Store) GetClientByID(ctx context.Context, clientID string) (*store.Client, error) {
	c, err := scanClient(s.reader().QueryRowContext(ctx, "SELECT "+clientCols+clientFrom+" WHERE c.id = ?", clientID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get client: %w", err)
	}
	return c, nil
}

// UpdateClient implements store.Clients.
func (s *Store) UpdateClient(ctx context.Context, poolID, clientID string, fn func(c *store.Client) error) (*store.Client, error) {
	var c *store.Client
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanClient(tx.QueryRowContext(ctx,
			"SELECT "+clientCols+clientFrom+" WHERE c.id = ? AND p.id = ?", clientID, poolID))
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
		c.PoolID, c.ID, c.CreatedAt = old.PoolID, old.ID, old.CreatedAt
		secrets, err := encodeSecrets(c.Secrets)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE clients SET name = ?, config = ?, secrets = ?, updated_at = ? WHERE id = ?",
			c.Name, c.Config, secrets, micros(c.UpdatedAt), c.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update client: %w", err)
	}
	c.UpdatedAt = fromMicros(micros(c.UpdatedAt))
	for i := range c.Secrets {
		c.Secrets[i].CreatedAt = fromMicros(micros(c.Secrets[i].CreatedAt))
	}
	return c, nil
}

// DeleteClient implements store.Clients.
func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM clients WHERE id = ? AND pool = "+poolPK, clientID, poolID))
	if err != nil {
		return fmt.Errorf("sqlite: delete client: %w", err)
	}
	return nil
}

// ListClients implements store.Clients.
func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, string, error) {
	clients, next, err := listPage(ctx, s.reader(), page, []string{"clients", poolID},
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
		return nil, "", fmt.Errorf("sqlite: list clients: %w", err)
	}
	return clients, next, nil
}
