package messaging

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

const testPool = "us-east-1_outbox"

// outbox is a real store and master key with one pool, for the dispatcher
// and the outbox reader.
type outbox struct {
	st   store.Store
	keys *seal.Keyring
	now  time.Time
}

func newOutbox(t *testing.T) *outbox {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "cognate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, _, err := seal.LoadOrCreate(filepath.Join(dir, "cognate.db.key"))
	if err != nil {
		t.Fatal(err)
	}
	o := &outbox{st: st, keys: keys, now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	for _, id := range []string{testPool, testPool + "2"} {
		if err := st.CreatePool(t.Context(), &store.Pool{ID: id, Name: id, CreatedAt: o.now, UpdatedAt: o.now}); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// enqueue queues a message as the operations do, a second after the
// previous one.
func (o *outbox) enqueue(t *testing.T, id, medium, dest string, b Body) {
	t.Helper()
	o.enqueueIn(t, testPool, id, medium, dest, b)
}

func (o *outbox) enqueueIn(t *testing.T, pool, id, medium, dest string, b Body) {
	t.Helper()
	sealed, err := Seal(o.keys, id, b)
	if err != nil {
		t.Fatal(err)
	}
	o.now = o.now.Add(time.Second)
	m := &store.Message{ID: id, PoolID: pool, Username: "user-" + id, Kind: KindInvitation, Medium: medium,
		Destination: dest, Body: sealed, CreatedAt: o.now}
	if err := o.st.EnqueueMessage(t.Context(), m); err != nil {
		t.Fatal(err)
	}
}

// pending returns the IDs of the messages in the outbox, oldest first.
func (o *outbox) pending(t *testing.T) []string {
	t.Helper()
	ms, err := o.st.PendingMessages(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// waitFor polls cond until it holds, or fails the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// clock is a fake clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// mustNotContain fails the test if s contains any of secrets, in any case.
func mustNotContain(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(strings.ToLower(s), strings.ToLower(secret)) {
			t.Errorf("%s contains %q:\n%s", what, secret, s)
		}
	}
}
