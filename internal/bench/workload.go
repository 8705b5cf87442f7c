package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// maxDiscoveredUsers caps how many users of an existing pool are listed when
// --pool-id is given with --users 0.
const maxDiscoveredUsers = 10_000

// user is a user the workloads may look up.
type user struct {
	Username  string
	Email     string
	GivenName string
}

// benchUser returns the i-th user of the run runID. Given names are
// "Given<i>", so a prefix of one matches a handful of users.
func benchUser(runID string, i int) user {
	return user{
		Username:  fmt.Sprintf("bench-%s-%d", runID, i),
		Email:     fmt.Sprintf("bench-%s-%d@example.com", runID, i),
		GivenName: fmt.Sprintf("Given%d", i),
	}
}

// attributes returns the attributes AdminCreateUser sets for u.
func (u user) attributes() []types.AttributeType {
	return []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String(u.Email)},
		{Name: aws.String("given_name"), Value: aws.String(u.GivenName)},
		{Name: aws.String("family_name"), Value: aws.String("Bench")},
	}
}

// createUser creates u in poolID without sending any message, through the
// SDK (seeding).
func createUser(ctx context.Context, c *cip.Client, poolID string, u user) error {
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:     aws.String(poolID),
		Username:       aws.String(u.Username),
		UserAttributes: u.attributes(),
		MessageAction:  types.MessageActionTypeSuppress,
	})
	return err
}

// rawCreateUser is createUser through the raw client (the
// admin-create-user workload).
func rawCreateUser(ctx context.Context, c *rawClient, poolID string, u user) error {
	attrs := make([]attribute, 0, 3)
	for _, a := range u.attributes() {
		attrs = append(attrs, attribute{aws.ToString(a.Name), aws.ToString(a.Value)})
	}
	return c.call(ctx, "AdminCreateUser", struct {
		UserPoolId     string
		Username       string
		UserAttributes []attribute
		MessageAction  string
	}{poolID, u.Username, attrs, string(types.MessageActionTypeSuppress)}, nil)
}

// seedResult describes the seeding step.
type seedResult struct {
	Users          int     `json:"users"`
	Seconds        float64 `json:"seconds"`
	UsersPerSecond float64 `json:"users_per_second"`
}

// seed creates n users of the run runID in poolID on concurrency workers. It
// stops at the first error: a workload over a half-seeded pool would measure
// the wrong thing.
func seed(ctx context.Context, c *cip.Client, poolID, runID string, n, concurrency int) ([]user, seedResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	users := make([]user, n)
	for i := range users {
		users[i] = benchUser(runID, i)
	}
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range min(concurrency, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := createUser(ctx, c, poolID, users[i]); err != nil {
					once.Do(func() {
						firstErr = fmt.Errorf("bench: seed user %s: %w", users[i].Username, err)
						cancel()
					})
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, seedResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, seedResult{}, fmt.Errorf("bench: seed: %w", err)
	}
	took := time.Since(start)
	return users, seedResult{Users: n, Seconds: took.Seconds(), UsersPerSecond: float64(n) / took.Seconds()}, nil
}

// discover lists up to maxDiscoveredUsers users of an existing pool.
func discover(ctx context.Context, c *cip.Client, poolID string) ([]user, error) {
	var users []user
	pages := cip.NewListUsersPaginator(c, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(60)})
	for pages.HasMorePages() && len(users) < maxDiscoveredUsers {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("bench: list users of %s: %w", poolID, err)
		}
		for _, ut := range page.Users {
			u := user{Username: aws.ToString(ut.Username)}
			for _, a := range ut.Attributes {
				switch aws.ToString(a.Name) {
				case "email":
					u.Email = aws.ToString(a.Value)
				case "given_name":
					u.GivenName = aws.ToString(a.Value)
				}
			}
			users = append(users, u)
		}
	}
	return users, nil
}

// newOp returns the request loop body of workload against poolID. users are
// the users it may look up; runID makes created usernames unique.
func newOp(workload string, c *rawClient, poolID, runID string, users []user) (op, error) {
	switch workload {
	case workloadAdminGetUser:
		if len(users) == 0 {
			return nil, fmt.Errorf("bench: %s: pool %s has no users", workload, poolID)
		}
		return func(ctx context.Context, _, _ int) error {
			u := users[rand.IntN(len(users))]
			return c.call(ctx, "AdminGetUser", struct{ UserPoolId, Username string }{poolID, u.Username}, nil)
		}, nil
	case workloadAdminCreateUser:
		return func(ctx context.Context, worker, seq int) error {
			return rawCreateUser(ctx, c, poolID, benchUser(fmt.Sprintf("%s-w%d", runID, worker), seq))
		}, nil
	case workloadListUsersFilter:
		return listUsersOp(c, poolID, users, func(u user) string {
			if u.Email == "" {
				return ""
			}
			return "email = " + quoteFilter(u.Email)
		})
	case workloadListUsersPrefix:
		return listUsersOp(c, poolID, users, func(u user) string {
			if len(u.GivenName) < 2 {
				return ""
			}
			return "given_name ^= " + quoteFilter(u.GivenName[:len(u.GivenName)-1])
		})
	}
	return nil, fmt.Errorf("bench: unknown workload %q", workload)
}

// listUsersOp returns an op that sends ListUsers (Limit 10) with the filter
// that filter builds from a random user; users for whom it returns "" are
// skipped.
func listUsersOp(c *rawClient, poolID string, users []user, filter func(user) string) (op, error) {
	var filters []string
	for _, u := range users {
		if f := filter(u); f != "" {
			filters = append(filters, f)
		}
	}
	if len(filters) == 0 {
		return nil, fmt.Errorf("bench: pool %s has no users with the attribute to filter on", poolID)
	}
	return func(ctx context.Context, _, _ int) error {
		return c.call(ctx, "ListUsers", struct {
			UserPoolId string
			Filter     string
			Limit      int
		}{poolID, filters[rand.IntN(len(filters))], 10}, nil)
	}, nil
}

// quoteFilter quotes s as a ListUsers filter value.
func quoteFilter(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
