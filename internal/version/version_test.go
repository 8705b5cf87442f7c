package version

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	if v := String(); v == "" || strings.ContainsAny(v, " \n") {
		t.Errorf("String() = %q, want one word", v)
	}
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	if v := String(); v != "v1.2.3" {
		t.Errorf("with a link-time version, String() = %q", v)
	}
}
