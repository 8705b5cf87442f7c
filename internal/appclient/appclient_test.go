package appclient

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestAllowsFlow(t *testing.T) {
	def := &Client{Rec: &store.Client{ID: "c"}}
	for _, f := range []string{model.ExplicitAuthFlowsTypeAllowUserSrpAuth, model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, model.ExplicitAuthFlowsTypeAllowCustomAuth} {
		if !def.AllowsFlow(f) {
			t.Errorf("a client without explicit flows refuses %s", f)
		}
	}
	if def.AllowsFlow(model.ExplicitAuthFlowsTypeAllowUserPasswordAuth) {
		t.Error("a client without explicit flows allows USER_PASSWORD_AUTH")
	}
	legacy := &Client{Rec: &store.Client{ID: "c"}, Settings: model.UserPoolClientType{ExplicitAuthFlows: []string{model.ExplicitAuthFlowsTypeAdminNoSrpAuth}}}
	if !legacy.AllowsFlow(model.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, model.ExplicitAuthFlowsTypeAdminNoSrpAuth) || legacy.AllowsFlow(model.ExplicitAuthFlowsTypeAllowUserSrpAuth) {
		t.Error("legacy ADMIN_NO_SRP_AUTH")
	}
}

func TestSecretHash(t *testing.T) {
	// HMAC-SHA256("secret", "user"+"client"), base64, as computed by
	// Python's hmac module.
	if got, want := SecretHash("secret", "user", "client"), "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="; got != want {
		t.Errorf("SecretHash = %s, want %s", got, want)
	}
}
