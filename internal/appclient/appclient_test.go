package appclient

import (
	"slices"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestAllowsFlow(t *testing.T) {
	const (
		srp     = model.ExplicitAuthFlowsTypeAllowUserSrpAuth
		refresh = model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth
		custom  = model.ExplicitAuthFlowsTypeAllowCustomAuth
		user    = model.ExplicitAuthFlowsTypeAllowUserPasswordAuth
		admin   = model.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth
		choice  = model.ExplicitAuthFlowsTypeAllowUserAuth
	)
	all := []string{srp, refresh, custom, user, admin, choice}
	for _, tc := range []struct {
		flows []string
		allow []string
	}{
		{nil, []string{srp, refresh, custom}},
		{[]string{srp}, []string{srp}},
		{[]string{user, refresh}, []string{user, refresh}},
		// Legacy values keep SRP, refresh and custom authentication.
		{[]string{model.ExplicitAuthFlowsTypeUserPasswordAuth}, []string{srp, refresh, custom, user}},
		{[]string{model.ExplicitAuthFlowsTypeAdminNoSrpAuth}, []string{srp, refresh, custom, admin}},
		{[]string{model.ExplicitAuthFlowsTypeUserPasswordAuth, model.ExplicitAuthFlowsTypeAdminNoSrpAuth}, []string{srp, refresh, custom, user, admin}},
		{[]string{model.ExplicitAuthFlowsTypeCustomAuthFlowOnly}, []string{refresh, custom}},
		{[]string{model.ExplicitAuthFlowsTypeCustomAuthFlowOnly, model.ExplicitAuthFlowsTypeAdminNoSrpAuth}, []string{refresh, custom}},
	} {
		c := &Client{Rec: &store.Client{ID: "c"}, Settings: model.UserPoolClientType{ExplicitAuthFlows: tc.flows}}
		for _, f := range all {
			if got, want := c.AllowsFlow(f), slices.Contains(tc.allow, f); got != want {
				t.Errorf("ExplicitAuthFlows %v: AllowsFlow(%s) = %v, want %v", tc.flows, f, got, want)
			}
		}
	}
}

func TestSecretHash(t *testing.T) {
	// HMAC-SHA256("secret", "user"+"client"), base64, as computed by
	// Python's hmac module.
	if got, want := SecretHash("secret", "user", "client"), "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="; got != want {
		t.Errorf("SecretHash = %s, want %s", got, want)
	}
}
