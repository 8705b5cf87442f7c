package config

import (
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(*Config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c *Config) bool {
			return c.Listen == "127.0.0.1:9229" && c.DB == "./cognate.db" && c.Region == "us-east-1" && c.KeyFile == "./cognate.db.key" && c.CORSOrigins[0] == "*"
		}, ""},
		{"env fills in", nil, map[string]string{"COGNATE_REGION": "eu-west-1", "COGNATE_CORS_ORIGINS": "http://a, http://b"}, func(c *Config) bool {
			return c.Region == "eu-west-1" && len(c.CORSOrigins) == 2 && c.CORSOrigins[1] == "http://b"
		}, ""},
		{"flag beats env", []string{"--region", "ap-south-1"}, map[string]string{"COGNATE_REGION": "eu-west-1"}, func(c *Config) bool { return c.Region == "ap-south-1" }, ""},
		{"postgres needs a key file", []string{"--db", "postgres://x@localhost/db"}, nil, nil, "--key-file is required"},
		{"postgres with key file", []string{"--db", "postgres://x@localhost/db", "--key-file", "/k"}, nil, func(c *Config) bool { return c.Postgres() && c.KeyFile == "/k" }, ""},
		{"every problem at once", []string{"--region", "mars", "--account-id", "12", "--listen", "nowhere"}, nil, nil, "--account-id"},
		{"bad log level", []string{"--log-level", "loud"}, nil, nil, "--log-level"},
		{"stray argument", []string{"extra"}, nil, nil, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("config %+v", c)
			}
		})
	}
	_, err := Load([]string{"--region", "mars", "--account-id", "12", "--listen", "nowhere"}, env(nil), io.Discard)
	for _, want := range []string{"--region", "--account-id", "--listen"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
}

// Off loopback, open admin operations need --insecure-open-admin (and are
// then warned about); --iam-credentials closes them.
func TestCheckExposure(t *testing.T) {
	for _, tc := range []struct {
		listen, creds string
		insecure      bool
		warn, fail    bool
	}{
		{"127.0.0.1:9229", "", false, false, false},
		{"localhost:9229", "", false, false, false},
		{"[::1]:9229", "", false, false, false},
		{"0.0.0.0:9229", "", false, false, true},
		{":9229", "", false, false, true},
		{"10.0.0.5:9229", "", true, true, false},
		{"0.0.0.0:9229", "keys", false, false, false},
	} {
		c := &Config{Listen: tc.listen, IAMCredentials: tc.creds, InsecureOpenAdmin: tc.insecure}
		warn, err := c.CheckExposure()
		if warn != tc.warn || (err != nil) != tc.fail {
			t.Errorf("%+v: warn %v, err %v", tc, warn, err)
		}
	}
}

func TestHostAllowed(t *testing.T) {
	c := &Config{Listen: "0.0.0.0:9229", IssuerURL: "https://auth.example.com", AllowedHosts: []string{"cognate"}}
	for host, want := range map[string]bool{
		"127.0.0.1:9229": true, "[::1]:9229": true, "192.168.1.4": true, "localhost": true, "a.localhost:3000": true,
		"auth.example.com": true, "cognate:9229": true, "COGNATE": true,
		"evil.example": false, "localhost.evil.example": false, "": false,
	} {
		if got := c.HostAllowed(host); got != want {
			t.Errorf("HostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}
