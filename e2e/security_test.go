package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Developer-only attributes (dev:custom:) are written with administrative
// calls only: the user's own access token can neither change nor delete
// them, whatever the app client's WriteAttributes say.
func TestDeveloperOnlyAttributes(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{{
		Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true), Mutable: aws.Bool(true),
	}}}, nil)
	token := e.newUser(t, "dev", attr("dev:custom:tier", "free"))
	_, err := updateAttrs(e.c, token, attr("dev:custom:tier", "gold"))
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	_, err = e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"dev:custom:tier"}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")

	named := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("named"), WriteAttributes: []string{"dev:custom:tier", "name"}})
	tok := aws.ToString(signInForTest(t, e.c, e.pool, named, "dev", accountPassword).AccessToken)
	_, err = updateAttrs(e.c, tok, attr("dev:custom:tier", "gold"))
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	if got := e.adminAttrs(t, "dev")["dev:custom:tier"]; got != "free" {
		t.Fatalf("dev:custom:tier = %q after refused writes, want free", got)
	}
	must[*cip.AdminUpdateUserAttributesOutput](t)(e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("dev"), UserAttributes: []types.AttributeType{attr("dev:custom:tier", "gold")},
	}))
	if got := e.adminAttrs(t, "dev")["dev:custom:tier"]; got != "gold" {
		t.Fatalf("dev:custom:tier = %q after AdminUpdateUserAttributes, want gold", got)
	}
}
