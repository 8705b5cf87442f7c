package config

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if _, err := Load([]string{"-h"}, env(nil), &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve -h: %v", err)
	}
	for _, want := range []string{"usage: cognate serve [flags]", "--db string  (COGNATE_DB)", "--listen string  (COGNATE_LISTEN)", "--dev  (COGNATE_DEV)", `(default "127.0.0.1:9229")`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve -h lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if _, err := LoadSeed([]string{"-h"}, env(nil), &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("seed -h: %v", err)
	}
	if !strings.Contains(out.String(), "usage: cognate seed [flags] FILE") || !strings.Contains(out.String(), "--db string  (COGNATE_DB)") {
		t.Errorf("seed -h:\n%s", out.String())
	}
	for _, other := range []string{"--listen", "--smtp-url", "--cors-origins", "--dev", "--outbox"} {
		if strings.Contains(out.String(), other) {
			t.Errorf("seed -h lists the serve flag %s:\n%s", other, out.String())
		}
	}
	// A serve flag is no seed flag, and its variable is not read.
	if _, err := LoadSeed([]string{"--listen", "x", "f.yaml"}, env(nil), &out); err == nil {
		t.Error("seed accepted --listen")
	}
	if c, err := LoadSeed([]string{"f.yaml"}, env(map[string]string{"COGNATE_LISTEN": "bad"}), &out); err != nil || c.Seed != "f.yaml" {
		t.Errorf("seed with COGNATE_LISTEN set: %+v, %v", c, err)
	}
}

// A bad flag is reported once, by the caller: nothing is printed.
func TestBadFlagOnce(t *testing.T) {
	var out bytes.Buffer
	_, err := Load([]string{"--no-such-flag"}, env(nil), &out)
	if err == nil || !strings.Contains(err.Error(), "flag provided but not defined: -no-such-flag (cognate serve -h lists the flags)") {
		t.Errorf("err = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q as well", out.String())
	}
}
