package config

import (
	"io"
	"strings"
	"testing"
)

func TestSeedFlag(t *testing.T) {
	c, err := Load([]string{"--seed", "a.yaml"}, env(nil), io.Discard)
	if err != nil || c.Seed != "a.yaml" {
		t.Errorf("--seed: %v, %v", c, err)
	}
	c, err = Load(nil, env(map[string]string{"COGNATE_SEED": "b.yaml"}), io.Discard)
	if err != nil || c.Seed != "b.yaml" {
		t.Errorf("COGNATE_SEED: %v, %v", c, err)
	}
	if c, err = Load(nil, env(nil), io.Discard); err != nil || c.Seed != "" {
		t.Errorf("no seed: %v, %v", c, err)
	}
}

func TestLoadSeed(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"file argument", []string{"--db", "x.db", "s.yaml"}, nil, "s.yaml", ""},
		{"argument beats env", []string{"s.yaml"}, map[string]string{"COGNATE_SEED": "e.yaml"}, "s.yaml", ""},
		{"env", nil, map[string]string{"COGNATE_SEED": "e.yaml"}, "e.yaml", ""},
		{"flag", []string{"--seed", "f.yaml"}, nil, "f.yaml", ""},
		{"no file", nil, nil, "", "usage: cognate seed"},
		{"two files", []string{"a.yaml", "b.yaml"}, nil, "", `unexpected argument "b.yaml"`},
		{"bad flags", []string{"--region", "mars", "s.yaml"}, nil, "", "--region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadSeed(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.Seed != tc.want {
				t.Fatalf("got %v, %v; want seed %q", c, err, tc.want)
			}
		})
	}
}
