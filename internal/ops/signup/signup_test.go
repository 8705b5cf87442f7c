package signup

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// hooks records the trigger events it sees and answers pre sign-up with
// decide.
type hooks struct {
	triggers.None
	decide triggers.PreSignUpResult
	refuse error

	mu     sync.Mutex
	events []triggers.Event
}

func (h *hooks) PreSignUp(_ context.Context, e *triggers.Event) (triggers.PreSignUpResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, *e)
	return h.decide, h.refuse
}

func (h *hooks) PostConfirmation(_ context.Context, e *triggers.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, *e)
	return nil
}

func (h *hooks) sources() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.Source)
	}
	return out
}

// newService returns the service over a fresh SQLite store with a pool
// (AutoVerifiedAttributes email) and an app client.
func newService(t *testing.T, h triggers.Hooks) (*Service, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, _, err := seal.LoadOrCreate(filepath.Join(dir, "key"))
	if err != nil {
		t.Fatal(err)
	}
	settings, err := userpool.NewSettings(&model.CreateUserPoolRequest{PoolName: "p", AutoVerifiedAttributes: []string{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := userpool.Encode(settings)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.CreatePool(ctx, &store.Pool{ID: "us-east-1_test", Name: "p", Config: cfg, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateClient(ctx, &store.Client{PoolID: "us-east-1_test", ID: "client1", Name: "app", Config: []byte("{}"), CreatedAt: now, UpdatedAt: now}, 1000); err != nil {
		t.Fatal(err)
	}
	auth := &authn.Service{Store: st, Keys: keys, IDs: ids.Generator{Rand: rand.Reader}, Rand: rand.Reader, Now: func() time.Time { return now }, Hooks: h}
	return &Service{Deps: ops.Deps{Store: st, Keys: auth.Keys, IDs: auth.IDs, Now: auth.Now, Rand: auth.Rand, Auth: auth}}, "client1"
}

// The pre sign-up trigger sees the new user with the client metadata and
// validation data, and may confirm the user and verify their email: then
// no code is sent and the post confirmation trigger runs.
func TestPreSignUpAutoConfirm(t *testing.T) {
	ctx := context.Background()
	h := &hooks{decide: triggers.PreSignUpResult{AutoConfirmUser: true, AutoVerifyEmail: true}}
	s, client := newService(t, h)
	out, err := s.SignUp(ctx, &model.SignUpRequest{
		ClientId: client, Username: "ann", Password: "Auto=Passw0rd!",
		UserAttributes: []model.AttributeType{{Name: "email", Value: "ann@example.com"}},
		ValidationData: []model.AttributeType{{Name: "invite", Value: "XYZ"}},
		ClientMetadata: map[string]string{"app": "web"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !*out.UserConfirmed || out.CodeDeliveryDetails != nil {
		t.Fatalf("SignUp = %+v", out)
	}
	if diff := cmp.Diff([]string{"PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"}, h.sources()); diff != "" {
		t.Errorf("trigger sources (-want +got):\n%s", diff)
	}
	pre := h.events[0]
	if pre.ClientID != client || pre.Username != "ann" || pre.ValidationData["invite"] != "XYZ" || pre.ClientMetadata["app"] != "web" || pre.Attributes["email"] != "ann@example.com" {
		t.Errorf("pre sign-up event: %+v", pre)
	}
	u, err := s.Store.GetUser(ctx, "us-east-1_test", "ann")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != model.UserStatusTypeConfirmed || u.Attributes["email_verified"] != "true" {
		t.Errorf("user: %s %v", u.Status, u.Attributes)
	}
	msgs, err := s.Store.PendingMessages(ctx, 10)
	if err != nil || len(msgs) != 0 {
		t.Errorf("messages queued for an auto-confirmed user: %v %+v", err, msgs)
	}
}

// A pre sign-up trigger's refusal refuses the sign-up: no user is stored.
func TestPreSignUpRefusal(t *testing.T) {
	ctx := context.Background()
	refusal := &model.UserLambdaValidationException{Message: "PreSignUp failed with error no invitation."}
	s, client := newService(t, &hooks{refuse: refusal})
	_, err := s.SignUp(ctx, &model.SignUpRequest{ClientId: client, Username: "bob", Password: "Auto=Passw0rd!"})
	if !errors.Is(err, refusal) {
		t.Fatalf("SignUp error = %v, want the trigger's", err)
	}
	if _, err := s.Store.GetUser(ctx, "us-east-1_test", "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user stored despite the refusal: %v", err)
	}
}

func TestSimulatedDetailsAreStable(t *testing.T) {
	p := &userpool.Pool{ID: "us-east-1_test"}
	a, b := simulated(p, "someone", true), simulated(p, "someone", true)
	if *a != *b || a.DeliveryMedium != model.DeliveryMediumTypeSms || len(a.Destination) != 12 {
		t.Fatalf("simulated SMS details: %+v %+v", a, b)
	}
	if other := simulated(&userpool.Pool{ID: "us-east-1_other"}, "someone", true); other.Destination == a.Destination && simulated(p, "someone-else", true).Destination == a.Destination {
		t.Errorf("made-up destinations do not depend on the pool and name")
	}
	if d := simulated(p, "someone", false); d.DeliveryMedium != model.DeliveryMediumTypeEmail || d.AttributeName != "email" {
		t.Errorf("simulated email details: %+v", d)
	}
}
