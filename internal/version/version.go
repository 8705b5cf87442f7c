// Package version says which build of Cognate is running: the version given
// at link time, or else the one the Go toolchain recorded in the binary.
package version

import "runtime/debug"

// version is set at link time:
//
//	go build -ldflags "-X github.com/cognate-idp/cognate/internal/version.version=v1.2.3" ./cmd/cognate
var version string

// String returns the version: the link-time one; else the module version
// the Go toolchain recorded (a tag, or a pseudo-version made from the
// commit, "+dirty" when the work tree had changes); else "devel" with the
// commit when known.
func String() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev[:min(12, len(rev))] + dirty
}
