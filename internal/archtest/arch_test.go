package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Doc        string
	Deps       []string
	Imports    []string
	Standard   bool
}

// listPackages runs go list over the module.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "github.com/cognate-idp/cognate/...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

const mod = "github.com/cognate-idp/cognate/"

// TestServerBinaryDeps keeps the AWS SDK's Cognito client, which only the
// load tool (cmd/cognate-bench) and the tests need, out of the server binary.
func TestServerBinaryDeps(t *testing.T) {
	const sdk = "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	found := false
	for _, p := range listPackages(t) {
		if p.ImportPath != mod+"cmd/cognate" {
			continue
		}
		found = true
		for _, d := range p.Deps {
			if d == sdk || strings.HasPrefix(d, sdk+"/") {
				t.Errorf("cmd/cognate depends on %s: keep the SDK client in cmd/cognate-bench and the tests", d)
			}
		}
	}
	if !found {
		t.Error("go list did not list cmd/cognate")
	}
}

// TestPublicPackages keeps the module's API to one package: everything but
// the commands, the end-to-end tests and cognatetest is internal.
func TestPublicPackages(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		if !strings.HasPrefix(rel, "internal/") && !strings.HasPrefix(rel, "cmd/") && rel != "e2e" && rel != "cognatetest" {
			t.Errorf("%s is public: put it under internal/", p.ImportPath)
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.Doc == "" && !strings.HasSuffix(p.ImportPath, "/e2e") {
			t.Errorf("%s has no package comment", p.ImportPath)
		}
	}
}

// TestDependencies checks the layering rules of the architecture.
func TestDependencies(t *testing.T) {
	rules := []struct {
		pkgPrefix string
		forbidden []string
	}{
		{mod + "internal/store", []string{"net/http", mod + "internal/model", mod + "internal/awsjson"}},
		{mod + "internal/ops/", []string{"github.com/jackc/pgx", "modernc.org/sqlite", mod + "internal/store/sqlite", mod + "internal/store/postgres"}},
		{mod + "internal/userpool", []string{"github.com/jackc/pgx", "modernc.org/sqlite", "net/http"}},
		{mod + "internal/awsjson", []string{mod + "internal/store"}},
		// The sign-in core knows neither SQL nor the wire protocol.
		{mod + "internal/authn", []string{"github.com/jackc/pgx", "modernc.org/sqlite", mod + "internal/awsjson"}},
		{mod + "internal/appclient", []string{"net/http", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "internal/awsjson"}},
		{mod + "internal/triggers", []string{mod + "internal/store", mod + "internal/awsjson"}},
		// The hosted endpoints reach the store only through its interface.
		{mod + "internal/oauth", []string{"github.com/jackc/pgx", "modernc.org/sqlite", mod + "internal/store/sqlite", mod + "internal/store/postgres"}},
	}
	// Only the store backends (and their shared sqlstore) and the wiring may
	// use database/sql directly.
	sqlUsers := []string{mod + "internal/store/sqlstore", mod + "internal/store/sqlite", mod + "internal/store/postgres"}
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !strings.HasPrefix(p.ImportPath, r.pkgPrefix) {
				continue
			}
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s", p.ImportPath, d)
					}
				}
			}
		}
		for _, imp := range p.Imports {
			if imp == "database/sql" && !slices.Contains(sqlUsers, p.ImportPath) {
				t.Errorf("%s imports database/sql: only the store backends may", p.ImportPath)
			}
		}
		if p.ImportPath == mod+"internal/model" {
			for _, d := range p.Deps {
				if strings.Contains(strings.Split(d, "/")[0], ".") {
					t.Errorf("internal/model must need only the standard library, but imports %s", d)
				}
			}
		}
	}
}
