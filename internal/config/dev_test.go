package config

import (
	"io"
	"strings"
	"testing"
)

func TestDev(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{"off by default", nil, nil, false, false},
		{"flag on loopback", []string{"--dev"}, nil, true, false},
		{"env", nil, map[string]string{"COGNATE_DEV": "true"}, true, false},
		{"ipv6 loopback", []string{"--dev", "--listen", "[::1]:9229"}, nil, true, false},
		{"localhost", []string{"--dev", "--listen", "localhost:9229"}, nil, true, false},
		{"127.0.0.2", []string{"--dev", "--listen", "127.0.0.2:9229"}, nil, true, false},
		{"all addresses", []string{"--dev", "--listen", "0.0.0.0:9229"}, nil, false, true},
		{"empty host", []string{"--dev", "--listen", ":9229"}, nil, false, true},
		{"ipv6 any", []string{"--dev", "--listen", "[::]:9229"}, nil, false, true},
		{"a name", []string{"--dev", "--listen", "example.com:9229"}, nil, false, true},
		{"env on a public address", []string{"--listen", "10.0.0.1:9229"}, map[string]string{"COGNATE_DEV": "1"}, false, true},
		{"public address without dev", []string{"--listen", "0.0.0.0:9229"}, nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "--dev is refused") {
					t.Fatalf("err = %v, want --dev refused", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Dev != tc.want {
				t.Errorf("Dev = %v, want %v", c.Dev, tc.want)
			}
		})
	}
}
