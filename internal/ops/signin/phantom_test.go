package signin

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
)

func TestPhantoms(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var p phantoms
	ph := &phantom{poolID: "pool", clientID: "client", username: "ghost", custom: &authn.CustomAuth{}, expires: now.Add(3 * time.Minute)}
	p.put("raw", ph, now)
	for _, c := range []struct{ raw, pool, client, user string }{
		{"other", "pool", "client", "ghost"}, {"raw", "pool2", "client", "ghost"},
		{"raw", "pool", "client2", "ghost"}, {"raw", "pool", "client", "ann"},
	} {
		if got := p.take(c.raw, c.pool, c.client, c.user, now); got != nil {
			t.Errorf("take(%v) = %v, want nil", c, got)
		}
	}
	if got := p.take("raw", "pool", "client", "ghost", now); got != ph {
		t.Fatalf("take = %v, want the phantom", got)
	}
	if got := p.take("raw", "pool", "client", "ghost", now); got != nil {
		t.Error("taken twice")
	}
	p.put("late", ph, now)
	if got := p.take("late", "pool", "client", "ghost", now.Add(3*time.Minute)); got != nil {
		t.Error("an expired phantom was taken")
	}
	// Full: the one nearest its expiry goes first.
	for i := range maxPhantoms {
		p.put(fmt.Sprint(i), &phantom{poolID: "pool", clientID: "client", username: "ghost", expires: now.Add(time.Hour + time.Duration(i)*time.Millisecond)}, now)
	}
	p.put("new", ph, now)
	if len(p.m) != maxPhantoms {
		t.Errorf("%d phantoms kept, want %d", len(p.m), maxPhantoms)
	}
	if p.take("new", "pool", "client", "ghost", now) == nil {
		t.Error("the newest phantom was not kept")
	}
}
