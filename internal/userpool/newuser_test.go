package userpool

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/seal"
)

func TestNewUser(t *testing.T) {
	keys, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m := Minter{Keys: keys, IDs: ids.Generator{Rand: rand.Reader}, Rand: rand.Reader, Now: now}

	// A pool with email usernames: the username is the sub, the name asked
	// for becomes the email, and a verified email is an alias.
	p := newPool(t, &model.CreateUserPoolRequest{PoolName: "p", UsernameAttributes: []string{"email"}})
	given := map[string]string{"email_verified": "true"}
	u, err := p.NewUser(NewUser{Username: "ann@example.com", Attributes: given, Status: model.UserStatusTypeUnconfirmed, Password: "Passw0rd!"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != u.Sub || u.Attributes["sub"] != u.Sub || u.Attributes["email"] != "ann@example.com" || u.Key != p.Key(u.Sub) {
		t.Errorf("user %+v", u)
	}
	if !u.Enabled || u.Status != model.UserStatusTypeUnconfirmed || !u.CreatedAt.Equal(now) || !u.PasswordSetAt.Equal(now) || len(u.Aliases) == 0 {
		t.Errorf("user %+v", u)
	}
	if _, ok := given["sub"]; ok {
		t.Error("NewUser changed the caller's attributes")
	}
	if _, err := password.Open(keys, p.ID, u.Username, u.Password); err != nil {
		t.Errorf("sealed password: %v", err)
	}

	// No password: none sealed.
	if u, err := p.NewUser(NewUser{Username: "bob@example.com", Status: model.UserStatusTypeConfirmed}, Minter{IDs: m.IDs, Now: now}); err != nil || u.Password != nil || !u.PasswordSetAt.IsZero() {
		t.Errorf("without a password: %+v, %v", u, err)
	}

	// The pool's rules apply: the username must be an email, required
	// attributes must be there.
	if _, err := p.NewUser(NewUser{Username: "carol"}, m); err == nil {
		t.Error("a username that is not an email was accepted")
	}
	req := newPool(t, &model.CreateUserPoolRequest{PoolName: "r", Schema: []model.SchemaAttributeType{{Name: "given_name", Required: ptr(true)}}})
	_, err = req.NewUser(NewUser{Username: "dan"}, m)
	if ipe, ok := errors.AsType[*model.InvalidParameterException](err); !ok || ipe.Message != "Attributes did not conform to the schema: given_name: The attribute is required.\n" {
		t.Errorf("missing required attribute: %v", err)
	}
}
