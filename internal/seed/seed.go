// Package seed reads a declarative seed file (YAML) of user pools with their
// domains, resource servers, groups, app clients and users, and applies it
// to a store: what the file declares is created, or updated where it
// differs, through the same settings rules and validation as the API's
// operations, and applying a file twice changes nothing. Every key of the
// file is the API's member name, so a pool entry takes CreateUserPool's
// members, a client entry CreateUserPoolClient's, and so on.
package seed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/tags"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// File is a parsed seed file.
type File struct {
	// Name is the file's name, in error messages.
	Name string `json:"-"`
	// UserPools are the pools the file declares.
	UserPools []Pool `json:"UserPools"`
	// LambdaFunctions maps trigger function ARNs or names to the HTTP
	// endpoints the server invokes them at (as --lambda-functions does).
	LambdaFunctions map[string]string `json:"LambdaFunctions"`
}

// Pool is a user pool entry: CreateUserPool's members and what the pool
// holds.
type Pool struct {
	model.CreateUserPoolRequest
	// Id is the pool's fixed ID (<region>_<9 or more letters and digits>).
	// Without it the pool is the one named PoolName, created if there is
	// none.
	Id              string           `json:"Id"`
	Domains         []Domain         `json:"Domains"`
	ResourceServers []ResourceServer `json:"ResourceServers"`
	Groups          []Group          `json:"Groups"`
	Clients         []Client         `json:"Clients"`
	Users           []User           `json:"Users"`
	// Line is where the entry starts in the file.
	Line int `json:"-"`
}

// Domain is a domain entry: CreateUserPoolDomain's members.
type Domain struct {
	model.CreateUserPoolDomainRequest
	Line int `json:"-"`
}

// ResourceServer is a resource server entry: CreateResourceServer's
// members.
type ResourceServer struct {
	model.CreateResourceServerRequest
	Line int `json:"-"`
}

// Group is a group entry: CreateGroup's members.
type Group struct {
	model.CreateGroupRequest
	Line int `json:"-"`
}

// Client is an app client entry: CreateUserPoolClient's members (a fixed
// secret in ClientSecret, or GenerateSecret) and a fixed ClientId.
type Client struct {
	model.CreateUserPoolClientRequest
	// ClientId is the client's fixed ID. Without it the client is the
	// pool's client named ClientName, created if there is none.
	ClientId string `json:"ClientId"`
	Line     int    `json:"-"`
}

// User is a user entry. Password is a permanent password (the user is
// CONFIRMED), TemporaryPassword a temporary one (FORCE_CHANGE_PASSWORD);
// exactly one is given.
type User struct {
	Username          string                `json:"Username"`
	UserAttributes    []model.AttributeType `json:"UserAttributes"`
	Password          string                `json:"Password"`
	TemporaryPassword string                `json:"TemporaryPassword"`
	// Enabled is true when left out.
	Enabled *bool `json:"Enabled"`
	// Groups are groups of the pool the user is a member of.
	Groups []string `json:"Groups"`
	Line   int      `json:"-"`
}

// ReadFile reads and parses the seed file at path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a seed file and checks every value as the API's operations
// would: the model's constraints, and the pool settings rules of
// CreateUserPool. Errors name the file and line; all of them are reported
// at once. Checks that need the store (app client settings against the
// pool, conflicts with existing records) are made by Apply.
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &File{Name: name}, nil // an empty file declares nothing
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, fmt.Errorf("%s:%d: a seed file holds one YAML document", name, line)
	}
	f := &File{Name: name}
	d := &decoder{file: name, lines: map[string]place{}}
	root := doc.Content[0]
	if isNull(resolve(root)) {
		return f, nil
	}
	d.decode(root, reflect.ValueOf(f).Elem(), "", "")
	if len(d.errs) == 0 {
		check(d, f)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// placeholderPool stands in for the pool ID in requests validated before
// the pool exists.
const placeholderPool = "us-east-1_placeholder"

// poolIDRE is the form of a fixed pool ID: a region, and nine or more
// letters and digits (Cognito makes nine).
var poolIDRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]{9,}$`)

// check validates every entry of f as the API would, and the file's own
// rules (no two entries for one record).
func check(d *decoder, f *File) {
	if err := triggers.CheckFunctions(f.LambdaFunctions); err != nil {
		d.failAt("lambdaFunctions", "%v", err)
	}
	ids, clientIDs := map[string]int{}, map[string]int{}
	poolNames := map[string][]named{}
	for i := range f.UserPools {
		p := &f.UserPools[i]
		at := fmt.Sprintf("userPools.%d.member", i+1)
		d.validate(at, &p.CreateUserPoolRequest, nil)
		poolID := placeholderPool
		if p.Id != "" {
			poolID = p.Id
			if !poolIDRE.MatchString(p.Id) || len(p.Id) > 55 {
				d.failAt(at+".id", "%q is not a pool ID of the form <region>_<9 or more letters and digits>, such as us-east-1_Example12", p.Id)
				poolID = placeholderPool
			} else {
				d.unique(ids, at+".id", "pool", p.Id)
			}
		}
		if p.PoolName != "" {
			poolNames[p.PoolName] = append(poolNames[p.PoolName], named{path: at + ".poolName", fixed: p.Id != ""})
		}
		var settings *model.UserPoolType
		if p.PoolName != "" {
			var err error
			if settings, err = userpool.NewSettings(&p.CreateUserPoolRequest); err != nil {
				d.failAt(at, "%v", err)
			}
			if msg := tags.Problem(p.UserPoolTags); msg != "" {
				d.failAt(at+".userPoolTags", "%s", msg)
			}
		}
		d.checkDomains(at, poolID, p.Domains)
		seen := map[string]int{}
		for j := range p.ResourceServers {
			rs := &p.ResourceServers[j]
			rat := fmt.Sprintf("%s.resourceServers.%d.member", at, j+1)
			rs.UserPoolId = poolID
			d.validate(rat, &rs.CreateResourceServerRequest, nil)
			rs.UserPoolId = ""
			d.unique(seen, rat+".identifier", "resource server", rs.Identifier)
		}
		seen = map[string]int{}
		for j := range p.Groups {
			g := &p.Groups[j]
			gat := fmt.Sprintf("%s.groups.%d.member", at, j+1)
			g.UserPoolId = poolID
			d.validate(gat, &g.CreateGroupRequest, nil)
			g.UserPoolId = ""
			d.unique(seen, gat+".groupName", "group", g.GroupName)
		}
		clientNames := map[string][]named{}
		for j := range p.Clients {
			c := &p.Clients[j]
			cat := fmt.Sprintf("%s.clients.%d.member", at, j+1)
			c.UserPoolId = poolID
			d.validate(cat, &c.CreateUserPoolClientRequest, nil)
			c.UserPoolId = ""
			if c.ClientId != "" {
				d.validate(cat, &model.DescribeUserPoolClientRequest{UserPoolId: poolID, ClientId: c.ClientId}, nil)
				d.unique(clientIDs, cat+".clientId", "app client", c.ClientId)
			}
			if c.ClientName != "" {
				clientNames[c.ClientName] = append(clientNames[c.ClientName], named{path: cat + ".clientName", fixed: c.ClientId != ""})
			}
			if c.GenerateSecret != nil && !*c.GenerateSecret && c.ClientSecret != "" {
				d.failAt(cat+".generateSecret", "is false, but the client has a ClientSecret")
			}
		}
		d.clashes(clientNames, "app clients of the pool", "a ClientId")
		d.checkUsers(at, poolID, settings, p.Users)
	}
	d.clashes(poolNames, "pools", "an Id")
}

// named is an entry that is matched by name unless it has a fixed ID.
type named struct {
	path  string
	fixed bool
}

// clashes reports entries that share a name when one of them would be
// matched by it: names are not unique, so such entries need fixed IDs.
func (d *decoder) clashes(byName map[string][]named, what, idKey string) {
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		list := byName[name]
		if len(list) < 2 {
			continue
		}
		for _, e := range list {
			if !e.fixed {
				d.failAt(e.path, "%d %s are named %q: names are not unique, so give each %s", len(list), what, name, idKey)
			}
		}
	}
}

// checkDomains validates a pool's domains: at most one prefix domain and
// one custom domain.
func (d *decoder) checkDomains(at, poolID string, list []Domain) {
	seen := map[string]int{}
	kinds := map[bool]int{}
	for j := range list {
		dm := &list[j]
		dat := fmt.Sprintf("%s.domains.%d.member", at, j+1)
		dm.UserPoolId = poolID
		d.validate(dat, &dm.CreateUserPoolDomainRequest, nil)
		dm.UserPoolId = ""
		d.unique(seen, dat+".domain", "domain", dm.Domain)
		custom := dm.CustomDomainConfig != nil
		if first, dup := kinds[custom]; dup {
			kind := "prefix"
			if custom {
				kind = "custom"
			}
			d.failAt(dat, "a pool has at most one %s domain, and another is declared at line %d", kind, first)
		}
		kinds[custom] = dm.Line
	}
}

// checkUsers validates a pool's users. settings are the pool's settings
// from the file (nil when they are invalid), which decide how usernames
// compare.
func (d *decoder) checkUsers(at, poolID string, settings *model.UserPoolType, list []User) {
	p := &userpool.Pool{ID: poolID}
	if settings != nil {
		p.Settings = *settings
	}
	seen := map[string]int{}
	for j := range list {
		u := &list[j]
		uat := fmt.Sprintf("%s.users.%d.member", at, j+1)
		d.validate(uat, &model.AdminCreateUserRequest{
			UserPoolId: poolID, Username: u.Username, UserAttributes: u.UserAttributes, TemporaryPassword: u.TemporaryPassword,
		}, nil)
		switch {
		case u.Password != "" && u.TemporaryPassword != "":
			d.failAt(uat+".temporaryPassword", "give either Password (permanent) or TemporaryPassword, not both")
		case u.Password == "" && u.TemporaryPassword == "":
			d.failAt(uat, "Password (permanent) or TemporaryPassword is required")
		case u.Password != "":
			d.validate(uat, &model.AdminSetUserPasswordRequest{UserPoolId: poolID, Username: "x", Password: u.Password, Permanent: new(true)}, nil)
		}
		if u.Username != "" {
			d.unique(seen, uat+".username", "user", p.Key(u.Username))
		}
		inGroup := map[string]bool{}
		for k, g := range u.Groups {
			gpath := fmt.Sprintf("%s.groups.%d.member", uat, k+1)
			d.validate(uat, &model.AdminAddUserToGroupRequest{UserPoolId: poolID, Username: "x", GroupName: g}, func(path string) string {
				if path == "groupName" {
					return strings.TrimPrefix(gpath, uat+".")
				}
				return path
			})
			if inGroup[g] {
				d.failAt(gpath, "group %q is listed twice", g)
			}
			inGroup[g] = true
		}
	}
}

// unique records value at path in seen, failing if it is there already.
func (d *decoder) unique(seen map[string]int, path, what, value string) {
	if value == "" {
		return
	}
	line := d.place(path).line
	if first, dup := seen[value]; dup {
		d.failAt(path, "%s %q is declared twice (first at line %d)", what, value, first)
		return
	}
	seen[value] = line
}

// place returns where the member at a validator path is in the file: the
// member itself or, when the file leaves it out, the nearest enclosing
// member it has, with the member's name appended.
func (d *decoder) place(path string) place {
	rest := []string{}
	for p := path; ; {
		if pl, ok := d.lines[p]; ok {
			pl.name = joinDisplay(pl.name, rest)
			return pl
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			if p != "" {
				rest = append([]string{p}, rest...)
			}
			return place{line: 1, name: joinDisplay("", rest)}
		}
		rest = append([]string{p[i+1:]}, rest...)
		p = p[:i]
	}
}

// joinDisplay appends validator path components (member names, "N" and
// "member" for list items) to a display name.
func joinDisplay(name string, rest []string) string {
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if i+1 < len(rest) && rest[i+1] == "member" {
			var n int
			if _, err := fmt.Sscan(c, &n); err == nil {
				name = fmt.Sprintf("%s[%d]", name, n-1)
				i++
				continue
			}
		}
		if c == "key" || c == "value" || c == "" {
			continue
		}
		name = joinName(name, strings.ToUpper(c[:1])+c[1:])
	}
	return name
}

func (d *decoder) failAt(path, format string, args ...any) {
	pl := d.place(path)
	d.fail(pl.line, pl.name, format, args...)
}

// violationRE matches one violation the model's validator reports.
var violationRE = regexp.MustCompile(`(?s)^Value (?:'(.*)' |null )?at '([A-Za-z0-9.]+)' failed to satisfy constraint: (.*)$`)

// validate runs the model's validation of in, whose members sit at the
// validator path at, and reports each violation at its line. rename maps a
// violation's path in the request to its path in the file, when they
// differ.
func (d *decoder) validate(at string, in model.Input, rename func(string) string) {
	err := in.Validate()
	if err == nil {
		return
	}
	var ipe *model.InvalidParameterException
	if !errors.As(err, &ipe) {
		d.failAt(at, "%v", err)
		return
	}
	msg := ipe.Message
	if _, rest, ok := strings.Cut(msg, " detected: "); ok {
		msg = rest
	}
	parts := strings.Split(msg, "; Value ")
	for i := 1; i < len(parts); i++ {
		parts[i] = "Value " + parts[i]
	}
	for _, v := range slices.Compact(parts) {
		m := violationRE.FindStringSubmatch(v)
		if m == nil {
			d.failAt(at, "%s", v)
			continue
		}
		path := m[2]
		if rename != nil {
			path = rename(path)
		}
		constraint := m[3]
		if constraint == "Member must not be null" {
			constraint = "is required"
		} else if m[1] != "" {
			constraint += fmt.Sprintf(" (value %q)", m[1])
		}
		d.failAt(at+"."+path, "%s", constraint)
	}
}
