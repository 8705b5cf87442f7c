package storetest

import (
	"fmt"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testReplicas(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_replicas")
	other := newPool(t, s, "us-east-1_replicasother")
	r := &store.Replica{PoolID: p.ID, Region: "eu-west-1", Status: "INACTIVE", Tags: map[string]string{"team": "identity"}, CreatedAt: t0, UpdatedAt: t0}

	wantErr(t, s.CreateReplica(ctx, &store.Replica{PoolID: "us-east-1_none", Region: "eu-west-1", Status: "INACTIVE", CreatedAt: t0, UpdatedAt: t0}, 5),
		store.ErrNotFound, "CreateReplica of a missing pool")
	noErr(t, s.CreateReplica(ctx, r, 5), "CreateReplica")
	wantErr(t, s.CreateReplica(ctx, r, 5), store.ErrConflict, "CreateReplica in a taken region")
	_, err := s.GetReplica(ctx, p.ID, "eu-west-2")
	wantErr(t, err, store.ErrNotFound, "GetReplica of a missing region")
	_, err = s.GetReplica(ctx, other.ID, "eu-west-1")
	wantErr(t, err, store.ErrNotFound, "GetReplica of another pool")
	got, err := s.GetReplica(ctx, p.ID, "eu-west-1")
	noErr(t, err, "GetReplica")
	want := &store.Replica{PoolID: p.ID, Region: "eu-west-1", Status: "INACTIVE", Tags: map[string]string{"team": "identity"}, CreatedAt: micro(t0), UpdatedAt: micro(t0)}
	mustDiff(t, "GetReplica", want, got)

	_, err = s.UpdateReplica(ctx, p.ID, "eu-west-1", func(r *store.Replica) error { r.Status = "ACTIVE"; return errBoom })
	wantErr(t, err, errBoom, "UpdateReplica with failing fn")
	got, err = s.UpdateReplica(ctx, p.ID, "eu-west-1", func(r *store.Replica) error {
		r.Status, r.UpdatedAt, r.Region, r.CreatedAt = "ACTIVE", at(1), "ignored", at(9)
		delete(r.Tags, "team")
		return nil
	})
	noErr(t, err, "UpdateReplica")
	want.Status, want.UpdatedAt, want.Tags = "ACTIVE", micro(at(1)), map[string]string{}
	mustDiff(t, "UpdateReplica result", want, got)
	got, _ = s.GetReplica(ctx, p.ID, "eu-west-1")
	mustDiff(t, "GetReplica after update", want, got)
	_, err = s.UpdateReplica(ctx, p.ID, "eu-west-2", func(*store.Replica) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateReplica of a missing replica")

	// DeleteReplica removes nothing when check refuses.
	_, err = s.DeleteReplica(ctx, p.ID, "eu-west-1", func(r *store.Replica) error {
		if r.Status != "ACTIVE" {
			t.Errorf("check sees status %s", r.Status)
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "DeleteReplica refused by check")
	if _, err := s.GetReplica(ctx, p.ID, "eu-west-1"); err != nil {
		t.Fatalf("a refused DeleteReplica removed the replica: %v", err)
	}
	gone, err := s.DeleteReplica(ctx, p.ID, "eu-west-1", func(*store.Replica) error { return nil })
	noErr(t, err, "DeleteReplica")
	mustDiff(t, "DeleteReplica result", want, gone)
	_, err = s.GetReplica(ctx, p.ID, "eu-west-1")
	wantErr(t, err, store.ErrNotFound, "GetReplica after delete")
	_, err = s.DeleteReplica(ctx, p.ID, "eu-west-1", func(*store.Replica) error { return nil })
	wantErr(t, err, store.ErrNotFound, "DeleteReplica twice")

	// Deleting the pool deletes its replicas.
	noErr(t, s.CreateReplica(ctx, r, 5), "CreateReplica again")
	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	newPool(t, s, p.ID)
	_, err = s.GetReplica(ctx, p.ID, "eu-west-1")
	wantErr(t, err, store.ErrNotFound, "GetReplica of a deleted pool's replica")
}

func testReplicaLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_replicalimit")
	const n = 8
	created, lost := race(n, func(i int) error {
		return s.CreateReplica(ctx, &store.Replica{PoolID: p.ID, Region: fmt.Sprintf("eu-west-%d", i), Status: "INACTIVE", CreatedAt: t0, UpdatedAt: t0}, 1)
	})
	for _, err := range lost {
		wantErr(t, err, store.ErrLimit, "concurrent CreateReplica past the limit")
	}
	if created != 1 {
		t.Fatalf("%d concurrent CreateReplica calls with a limit of 1 created %d replicas", n, created)
	}
}

func testListReplicas(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_listreplicas")
	other := newPool(t, s, "us-east-1_listreplicasother")
	regions := []string{"ap-south-1", "eu-central-1", "eu-west-1", "us-west-2"}
	for _, region := range []string{"eu-west-1", "us-west-2", "ap-south-1", "eu-central-1"} {
		noErr(t, s.CreateReplica(ctx, &store.Replica{PoolID: p.ID, Region: region, Status: "INACTIVE", CreatedAt: t0, UpdatedAt: t0}, 10), "CreateReplica "+region)
	}
	noErr(t, s.CreateReplica(ctx, &store.Replica{PoolID: other.ID, Region: "eu-west-1", Status: "ACTIVE", CreatedAt: t0, UpdatedAt: t0}, 10), "CreateReplica of the other pool")
	var seen []string
	cursor := ""
	for {
		page, next, err := s.ListReplicas(ctx, p.ID, store.Page{Cursor: cursor, Limit: 3})
		noErr(t, err, "ListReplicas")
		for _, r := range page {
			if r.PoolID != p.ID {
				t.Fatalf("ListReplicas returned a replica of %s", r.PoolID)
			}
			seen = append(seen, r.Region)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	mustDiff(t, "ListReplicas regions", regions, seen)
	_, _, err := s.ListReplicas(ctx, other.ID, store.Page{Cursor: cursor, Limit: 3})
	wantErr(t, err, store.ErrBadCursor, "ListReplicas with another pool's cursor")
	byPool, err := s.ReplicaRegions(ctx, []string{p.ID, other.ID, "us-east-1_none", newPool(t, s, "us-east-1_noreplicas").ID})
	noErr(t, err, "ReplicaRegions")
	mustDiff(t, "ReplicaRegions", map[string][]string{p.ID: regions, other.ID: {"eu-west-1"}}, byPool)
	byPool, err = s.ReplicaRegions(ctx, nil)
	noErr(t, err, "ReplicaRegions of no pools")
	mustDiff(t, "ReplicaRegions of no pools", map[string][]string{}, byPool)
	none, _, err := s.ListReplicas(ctx, "us-east-1_none", store.Page{Limit: 3})
	noErr(t, err, "ListReplicas of a missing pool")
	if len(none) != 0 {
		t.Fatalf("ListReplicas of a missing pool returned %v", none)
	}
}
