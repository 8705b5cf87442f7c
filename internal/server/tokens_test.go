package server

import "testing"

func TestListenBase(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:9229", "http://127.0.0.1:9229"},
		{"localhost:9229", "http://localhost:9229"},
		{"0.0.0.0:9229", "http://127.0.0.1:9229"},
		{":9229", "http://127.0.0.1:9229"},
		{"[::]:41234", "http://127.0.0.1:41234"},
		{"[::1]:9229", "http://[::1]:9229"},
		{"192.0.2.7:80", "http://192.0.2.7:80"},
	} {
		if got := listenBase(tc.addr); got != tc.want {
			t.Errorf("listenBase(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
