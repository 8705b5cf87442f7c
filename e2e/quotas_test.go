package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cognate-idp/cognate/internal/ops/clients"
	"github.com/cognate-idp/cognate/internal/ops/pools"
)

// TestAppClientQuota: a pool takes Cognito's 1,000 app clients; the next
// one is refused with LimitExceededException, and deleting one makes room.
func TestAppClientQuota(t *testing.T) {
	s, c := start(t)
	pool := *newPool(t, c, nil).Id
	body := fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"app"}`, pool)
	var last string
	for i := range clients.MaxClients {
		resp, m := post(t, s.URL, "CreateUserPoolClient", body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CreateUserPoolClient #%d: %d %v", i+1, resp.StatusCode, m)
		}
		last = m["UserPoolClient"].(map[string]any)["ClientId"].(string)
	}
	resp, m := post(t, s.URL, "CreateUserPoolClient", body)
	if resp.StatusCode != http.StatusBadRequest || m["__type"] != "LimitExceededException" || m["message"] != "A user pool can have at most 1000 app clients." {
		t.Fatalf("CreateUserPoolClient past the quota: %d %v", resp.StatusCode, m)
	}
	if resp, m := post(t, s.URL, "DeleteUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, pool, last)); resp.StatusCode != http.StatusOK {
		t.Fatalf("DeleteUserPoolClient: %d %v", resp.StatusCode, m)
	}
	if resp, m := post(t, s.URL, "CreateUserPoolClient", body); resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateUserPoolClient after a delete: %d %v", resp.StatusCode, m)
	}
}

// TestUserPoolQuota: the account takes Cognito's 1,000 user pools in its
// region; the next one is refused with LimitExceededException.
func TestUserPoolQuota(t *testing.T) {
	s, _ := start(t)
	for i := range pools.MaxPools {
		if resp, m := post(t, s.URL, "CreateUserPool", fmt.Sprintf(`{"PoolName":"p%d"}`, i)); resp.StatusCode != http.StatusOK {
			t.Fatalf("CreateUserPool #%d: %d %v", i+1, resp.StatusCode, m)
		}
	}
	resp, m := post(t, s.URL, "CreateUserPool", `{"PoolName":"one-too-many"}`)
	if resp.StatusCode != http.StatusBadRequest || m["__type"] != "LimitExceededException" || m["message"] != "The account can have at most 1000 user pools in us-east-1." {
		t.Fatalf("CreateUserPool past the quota: %d %v", resp.StatusCode, m)
	}
}
