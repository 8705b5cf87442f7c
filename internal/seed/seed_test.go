package seed

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pool is a valid pool entry the parse cases extend.
const pool = `UserPools:
  - PoolName: demo
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		// want are substrings of the error, each "line: text".
		want []string
	}{
		{"syntax", "UserPools: []\nc: d\n  e: f\n", []string{"seed.yaml: yaml: line 3: mapping values are not allowed"}},
		{"two documents", pool + "---\nUserPools: []\n", []string{"seed.yaml:3: a seed file holds one YAML document"}},
		{"unknown top-level key", "Pools: []\n", []string{"seed.yaml:1: Pools: unknown key"}},
		{"typo with suggestion", pool + "    Cleints: []\n", []string{"seed.yaml:3: UserPools[0].Cleints: unknown key (did you mean Clients?)"}},
		{"wrong case", pool + "    poolname: x\n", []string{"seed.yaml:3: UserPools[0].poolname: unknown key (did you mean PoolName?)"}},
		{"nested unknown key", pool + "    Policies:\n      PasswordPolicy:\n        MinLength: 8\n", []string{"seed.yaml:5: UserPools[0].Policies.PasswordPolicy.MinLength: unknown key (did you mean MinimumLength?)"}},
		{"duplicate key", pool + "    PoolName: again\n", []string{"seed.yaml:3: UserPools[0].PoolName: given twice"}},
		{"pool ID given to a client", pool + "    Clients:\n      - ClientName: web\n        UserPoolId: us-east-1_abcdefghi\n", []string{"seed.yaml:5: UserPools[0].Clients[0].UserPoolId: cannot be given in a seed file"}},
		{"not a list", "UserPools: demo\n", []string{"seed.yaml:1: UserPools: must be a list"}},
		{"not a mapping", "UserPools:\n  - demo\n", []string{"seed.yaml:2: UserPools[0]: must be a mapping"}},
		{"not a bool", pool + "    Clients:\n      - ClientName: web\n        GenerateSecret: yes\n", []string{"seed.yaml:5: UserPools[0].Clients[0].GenerateSecret: must be true or false"}},
		{"not a number", pool + "    Clients:\n      - ClientName: web\n        AccessTokenValidity: an hour\n", []string{"seed.yaml:5: UserPools[0].Clients[0].AccessTokenValidity: must be a whole number"}},
		{"out of range", pool + "    Groups:\n      - GroupName: g\n        Precedence: 99999999999\n", []string{"seed.yaml:5: UserPools[0].Groups[0].Precedence: 99999999999 is out of range"}},
		{"list for a string", pool + "    MfaConfiguration: [OFF]\n", []string{"seed.yaml:3: UserPools[0].MfaConfiguration: must be a single value"}},
		{"missing pool name", "UserPools:\n  - MfaConfiguration: OFF\n", []string{"seed.yaml:2: UserPools[0].PoolName: is required"}},
		{"enum", pool + "    MfaConfiguration: MAYBE\n", []string{`seed.yaml:3: UserPools[0].MfaConfiguration: Member must satisfy enum value set: [OFF, ON, OPTIONAL] (value "MAYBE")`}},
		{"pattern", "UserPools:\n  - PoolName: \"no!\"\n", []string{"seed.yaml:2: UserPools[0].PoolName: Member must satisfy regular expression pattern"}},
		{"nested range", pool + "    Policies:\n      PasswordPolicy:\n        MinimumLength: 3\n", []string{"seed.yaml:5: UserPools[0].Policies.PasswordPolicy.MinimumLength: Member must have value greater than or equal to 6"}},
		{"list item", pool + "    AliasAttributes: [email, nickname]\n", []string{"seed.yaml:3: UserPools[0].AliasAttributes[1]: Member must satisfy enum value set"}},
		{"settings rule", pool + "    AliasAttributes: [email]\n    UsernameAttributes: [email]\n", []string{"seed.yaml:2: UserPools[0]: InvalidParameterException: Only one of aliasAttributes or usernameAttributes can be set"}},
		{"tags rule", pool + "    UserPoolTags: {\"aws:x\": y}\n", []string{"seed.yaml:3: UserPools[0].UserPoolTags:"}},
		{"bad pool ID", "UserPools:\n  - Id: us-east-1_short\n    PoolName: demo\n", []string{`seed.yaml:2: UserPools[0].Id: "us-east-1_short" is not a pool ID`}},
		{"pool declared twice", "UserPools:\n  - Id: us-east-1_abcdefghi\n    PoolName: a\n  - Id: us-east-1_abcdefghi\n    PoolName: b\n", []string{"seed.yaml:4: UserPools[1].Id: pool \"us-east-1_abcdefghi\" is declared twice (first at line 2)"}},
		{"pool names clash", pool + "  - PoolName: demo\n    Id: us-east-1_abcdefghi\n", []string{`seed.yaml:2: UserPools[0].PoolName: 2 pools are named "demo"`}},
		{"bad client ID", pool + "    Clients:\n      - ClientName: web\n        ClientId: \"a b\"\n", []string{"seed.yaml:5: UserPools[0].Clients[0].ClientId: Member must satisfy regular expression pattern"}},
		{"client without name", pool + "    Clients:\n      - GenerateSecret: true\n", []string{"seed.yaml:4: UserPools[0].Clients[0].ClientName: is required"}},
		{"client secret too short", pool + "    Clients:\n      - ClientName: web\n        ClientSecret: short\n", []string{"seed.yaml:5: UserPools[0].Clients[0].ClientSecret: Member must have length greater than or equal to 24"}},
		{"client ID twice", "UserPools:\n  - PoolName: a\n    Clients:\n      - {ClientName: x, ClientId: abc}\n  - PoolName: b\n    Clients:\n      - {ClientName: y, ClientId: abc}\n", []string{`seed.yaml:7: UserPools[1].Clients[0].ClientId: app client "abc" is declared twice (first at line 4)`}},
		{"group twice", pool + "    Groups:\n      - GroupName: g\n      - GroupName: g\n", []string{`seed.yaml:5: UserPools[0].Groups[1].GroupName: group "g" is declared twice`}},
		{"two prefix domains", pool + "    Domains:\n      - Domain: one\n      - Domain: two\n", []string{"seed.yaml:5: UserPools[0].Domains[1]: a pool has at most one prefix domain"}},
		{"resource server scope", pool + "    ResourceServers:\n      - Identifier: api\n        Name: API\n        Scopes:\n          - ScopeName: \"bad scope\"\n            ScopeDescription: d\n", []string{"seed.yaml:7: UserPools[0].ResourceServers[0].Scopes[0].ScopeName: Member must satisfy regular expression pattern"}},
		{"user without password", pool + "    Users:\n      - Username: alice\n", []string{"seed.yaml:4: UserPools[0].Users[0]: Password (permanent) or TemporaryPassword is required"}},
		{"user with both passwords", pool + "    Users:\n      - Username: alice\n        Password: Passw0rd!\n        TemporaryPassword: Passw0rd!\n", []string{"seed.yaml:6: UserPools[0].Users[0].TemporaryPassword: give either Password"}},
		{"password pattern, value hidden", pool + "    Users:\n      - Username: alice\n        Password: \"sec ret\"\n", []string{"seed.yaml:5: UserPools[0].Users[0].Password: Member must satisfy regular expression pattern: [\\S]+\n"}},
		{"user twice, case-insensitive pool", pool + "    UsernameConfiguration: {CaseSensitive: false}\n    Users:\n      - {Username: Alice, Password: Passw0rd!}\n      - {Username: alice, Password: Passw0rd!}\n", []string{`seed.yaml:6: UserPools[0].Users[1].Username: user "alice" is declared twice (first at line 5)`}},
		{"attribute without name", pool + "    Users:\n      - Username: alice\n        Password: Passw0rd!\n        UserAttributes:\n          - Value: x\n", []string{"seed.yaml:7: UserPools[0].Users[0].UserAttributes[0].Name: is required"}},
		{"group name", pool + "    Users:\n      - Username: alice\n        Password: Passw0rd!\n        Groups: [\"\"]\n", []string{"seed.yaml:6: UserPools[0].Users[0].Groups[0]: is required"}},
		{"errors in line order", pool + "    MfaConfiguration: MAYBE\n    DeletionProtection: SOMETIMES\n", []string{"seed.yaml:3: UserPools[0].MfaConfiguration", "seed.yaml:4: UserPools[0].DeletionProtection"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("seed.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error for\n%s", tc.yaml)
			}
			msg := err.Error() + "\n"
			last := -1
			for _, w := range tc.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error does not contain %q:\n%s", w, msg)
				}
				if i < last {
					t.Errorf("%q is reported out of line order:\n%s", w, msg)
				}
				last = i
			}
		})
	}
}

// TestParseHidesPasswords checks that errors never echo a password.
func TestParseHidesPasswords(t *testing.T) {
	_, err := Parse("seed.yaml", []byte(pool+"    Users:\n      - Username: alice\n        Password: \"sec ret\"\n"))
	if err == nil || strings.Contains(err.Error(), "sec ret") {
		t.Fatalf("error %v shows the password", err)
	}
}

func TestParse(t *testing.T) {
	_, err := Parse("seed.yaml", []byte(`
defaults: &web
  ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  AccessTokenValidity: 30
UserPools:
  - Id: us-east-1_abcdefghi
    PoolName: demo
    Clients:
      - <<: *web
        ClientName: web
        AccessTokenValidity: 10
    Users:
      - Username: alice
        Password: Passw0rd!
        Enabled: false
        UserAttributes:
          - {Name: email_verified, Value: true}
`))
	if err == nil {
		t.Fatal("a top-level key the format does not know was accepted")
	}
	if !strings.Contains(err.Error(), "seed.yaml:2: defaults: unknown key") {
		t.Fatalf("error %v", err)
	}
	// Anchors are fine inside entries.
	f, err := Parse("seed.yaml", []byte(`
UserPools:
  - Id: us-east-1_abcdefghi
    PoolName: demo
    Clients:
      - &web
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
        AccessTokenValidity: 30
      - <<: *web
        ClientName: mobile
        AccessTokenValidity: 10
    Users:
      - Username: alice
        Password: Passw0rd!
        Enabled: false
        UserAttributes:
          - {Name: email_verified, Value: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := f.UserPools[0]
	if p.Id != "us-east-1_abcdefghi" || p.PoolName != "demo" || p.Line != 3 {
		t.Errorf("pool = %q %q line %d", p.Id, p.PoolName, p.Line)
	}
	mobile := p.Clients[1]
	if mobile.ClientName != "mobile" || *mobile.AccessTokenValidity != 10 || len(mobile.ExplicitAuthFlows) != 2 || mobile.Line != 10 {
		t.Errorf("merged client = %+v", mobile)
	}
	u := p.Users[0]
	if u.Enabled == nil || *u.Enabled || u.Line != 14 {
		t.Errorf("user = %+v", u)
	}
	if diff := cmp.Diff("true", u.UserAttributes[0].Value); diff != "" {
		t.Errorf("a boolean attribute value reads as its text: %s", diff)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "---\n", "UserPools: []\n"} {
		f, err := Parse("seed.yaml", []byte(in))
		if err != nil || len(f.UserPools) != 0 {
			t.Errorf("Parse(%q) = %v, %v", in, f, err)
		}
	}
}

func TestParseExample(t *testing.T) {
	f, err := ReadFile("../../examples/cognate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.UserPools) != 1 || len(f.UserPools[0].Clients) != 2 || len(f.UserPools[0].Users) != 2 {
		t.Fatalf("example parsed to %+v", f)
	}
}
