package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// testConcurrentUpdates runs many updaters on one record at once: each adds
// its own mark, and every mark must be there at the end.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	p := newPool(t, s, "us-east-1_concurrent")
	newUser(t, s, p.ID, "hot")
	noErr(t, s.CreateClient(ctx, &store.Client{PoolID: p.ID, ID: "hotclient", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateClient")
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "hotgroup", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")

	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		mark := fmt.Sprintf("[%d]", i)
		wg.Go(func() {
			_, err := s.UpdateUser(ctx, p.ID, "hot", func(u *store.User) error {
				u.Attributes["custom:n"+mark] = mark
				u.Aliases = append(u.Aliases, "preferred_username:"+mark)
				return nil
			})
			errs <- err
		})
		wg.Go(func() {
			_, err := s.UpdatePool(ctx, p.ID, func(p *store.Pool) error {
				p.Config = append(p.Config, mark...)
				return nil
			})
			errs <- err
		})
		wg.Go(func() {
			_, err := s.UpdateClient(ctx, p.ID, "hotclient", func(c *store.Client) error {
				c.Name += mark
				return nil
			})
			errs <- err
		})
		wg.Go(func() {
			_, err := s.UpdateGroup(ctx, p.ID, "hotgroup", func(g *store.Group) error {
				g.Description += mark
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err, "concurrent update")
	}

	u, err := s.GetUser(ctx, p.ID, "hot")
	noErr(t, err, "GetUser")
	gp, err := s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool")
	c, err := s.GetClient(ctx, p.ID, "hotclient")
	noErr(t, err, "GetClient")
	g, err := s.GetGroup(ctx, p.ID, "hotgroup")
	noErr(t, err, "GetGroup")
	if len(u.Aliases) != n+1 {
		t.Errorf("user has %d aliases, want %d: %q", len(u.Aliases), n+1, u.Aliases)
	}
	for i := range n {
		mark := fmt.Sprintf("[%d]", i)
		if u.Attributes["custom:n"+mark] != mark {
			t.Errorf("user lost update %s: %v", mark, u.Attributes)
		}
		if got, err := s.GetUserByAlias(ctx, p.ID, "preferred_username:"+mark); err != nil || got.Key != "hot" {
			t.Errorf("alias of update %s: %v", mark, err)
		}
		if !strings.Contains(string(gp.Config), mark) {
			t.Errorf("pool lost update %s: %s", mark, gp.Config)
		}
		if !strings.Contains(c.Name, mark) {
			t.Errorf("client lost update %s: %s", mark, c.Name)
		}
		if !strings.Contains(g.Description, mark) {
			t.Errorf("group lost update %s: %s", mark, g.Description)
		}
	}
}

// contend runs update from n goroutines at once and returns their errors.
// Each update must call wait on reading the record, in its updater
// function: wait holds the updaters until all n have read, or for at most
// patience. Updaters that a store fails to serialize read at once, wait for
// each other and then all write what they read, which turns a narrow race
// into a sure lost update; updaters that the store serializes arrive one at
// a time and each waits out the patience alone.
//
// contend runs a first round on rehearsal, which must be another record of
// the same kind, and ignores its errors: that round leaves the store's
// connections open, so that the second round's updaters are not held up by
// connection set-up and really meet.
func contend(n int, update func(i int, record string, wait func()) error, rehearsal, record string) []error {
	round := func(record string) []error {
		var mu sync.Mutex
		arrived := 0
		all := make(chan struct{})
		wait := func() {
			mu.Lock()
			if arrived++; arrived == n {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
			case <-time.After(patience):
			}
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = update(i, record, wait) })
		}
		wg.Wait()
		return errs
	}
	round(rehearsal)
	return round(record)
}

// patience is how long an updater waits for the others in contend.
const patience = 25 * time.Millisecond
