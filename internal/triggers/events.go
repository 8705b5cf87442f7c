package triggers

import (
	"context"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
)

// reservedClaims are the claims a pre token generation trigger cannot add,
// change or remove; Cognito leaves them as it made them.
var reservedClaims = map[string]bool{
	"acr": true, "amr": true, "aud": true, "at_hash": true, "auth_time": true, "azp": true, "c_hash": true,
	"exp": true, "iat": true, "identities": true, "iss": true, "jti": true, "nbf": true, "nonce": true,
	"origin_jti": true, "sub": true, "token_use": true, "event_id": true, "client_id": true, "username": true,
	"scope": true, "cognito:username": true, "cognito:groups": true, "cognito:roles": true,
	"cognito:preferred_role": true, "device_key": true,
}

// tokenFunction returns the pre token generation function and the event
// version it receives ("1", "2" or "3").
func tokenFunction(c *model.LambdaConfigType) (fn, version string) {
	fn, version = c.PreTokenGeneration, "1"
	if tc := c.PreTokenGenerationConfig; tc != nil {
		if tc.LambdaArn != "" {
			fn = tc.LambdaArn
		}
		switch tc.LambdaVersion {
		case model.PreTokenGenerationLambdaVersionTypeV20:
			version = "2"
		case model.PreTokenGenerationLambdaVersionTypeV30:
			version = "3"
		}
	}
	return fn, version
}

// groupOverride is groupConfiguration and groupOverrideDetails.
type groupOverride struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// claimsChange is one token's claimsToAddOrOverride and claimsToSuppress.
type claimsChange struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress"`
}

// apply changes claims, leaving the reserved ones alone.
func (c *claimsChange) apply(claims map[string]any) {
	if c == nil {
		return
	}
	for name, v := range c.ClaimsToAddOrOverride {
		if !reservedClaims[name] {
			claims[name] = v
		}
	}
	for _, name := range c.ClaimsToSuppress {
		if !reservedClaims[name] {
			delete(claims, name)
		}
	}
}

// PreTokenGeneration implements Hooks: version 1 changes the ID token's
// claims and the groups; versions 2 and 3 change both tokens' claims, the
// access token's scopes and the groups. Cognito calls the trigger for the
// client credentials grant only in version 3.
func (l *Lambda) PreTokenGeneration(ctx context.Context, e *Event, c *TokenClaims) error {
	fn, version := tokenFunction(config(e))
	if fn == "" || (e.Source == "TokenGeneration_ClientCredentials" && version != "3") {
		return nil
	}
	groups := groupOverride{GroupsToOverride: nonNil(c.Groups), IAMRolesToOverride: nonNil(c.Roles)}
	if c.PreferredRole != "" {
		groups.PreferredRole = &c.PreferredRole
	}
	req := map[string]any{"userAttributes": e.attributes(), "groupConfiguration": groups, "clientMetadata": orNull(e.ClientMetadata)}
	var scopes []string
	if s, ok := c.Access["scope"].(string); ok && s != "" {
		scopes = strings.Fields(s)
	}
	if version != "1" {
		req["scopes"] = nonNil(scopes)
	}
	var out struct {
		V1 *struct {
			claimsChange
			GroupOverrideDetails *groupOverride `json:"groupOverrideDetails"`
		} `json:"claimsOverrideDetails"`
		V2 *struct {
			IDTokenGeneration     *claimsChange `json:"idTokenGeneration"`
			AccessTokenGeneration *struct {
				claimsChange
				ScopesToAdd      []string `json:"scopesToAdd"`
				ScopesToSuppress []string `json:"scopesToSuppress"`
			} `json:"accessTokenGeneration"`
			GroupOverrideDetails *groupOverride `json:"groupOverrideDetails"`
		} `json:"claimsAndScopeOverrideDetails"`
	}
	resp := map[string]any{"claimsOverrideDetails": nil}
	if version != "1" {
		resp = map[string]any{"claimsAndScopeOverrideDetails": nil}
	}
	if err := l.call(ctx, "PreTokenGeneration", fn, version, e, req, resp, &out); err != nil {
		return err
	}
	var override *groupOverride
	if version == "1" {
		if out.V1 == nil {
			return nil
		}
		out.V1.apply(c.ID)
		override = out.V1.GroupOverrideDetails
	} else {
		if out.V2 == nil {
			return nil
		}
		out.V2.IDTokenGeneration.apply(c.ID)
		if at := out.V2.AccessTokenGeneration; at != nil {
			at.apply(c.Access)
			for _, s := range at.ScopesToAdd {
				if !slices.Contains(scopes, s) {
					scopes = append(scopes, s)
				}
			}
			scopes = slices.DeleteFunc(scopes, func(s string) bool { return slices.Contains(at.ScopesToSuppress, s) })
			c.Access["scope"] = strings.Join(scopes, " ")
		}
		override = out.V2.GroupOverrideDetails
	}
	if override != nil {
		if override.GroupsToOverride != nil {
			c.Groups = override.GroupsToOverride
		}
		if override.IAMRolesToOverride != nil {
			c.Roles = override.IAMRolesToOverride
		}
		if override.PreferredRole != nil {
			c.PreferredRole = *override.PreferredRole
		}
	}
	return nil
}

// nonNil makes a nil list empty, so that it encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Placeholders of the custom message trigger: where the code (or
// temporary password) and the username go.
const (
	CodeParameter     = "{####}"
	UsernameParameter = "{username}"
)

// CustomMessage implements Hooks. A text the function returns replaces
// the pool's only if it holds the code placeholder (and, in an
// invitation, the username placeholder); emailSubject is honoured only
// with an email message that is.
func (l *Lambda) CustomMessage(ctx context.Context, e *Event, m *Message) error {
	fn := config(e).CustomMessage
	if fn == "" {
		return nil
	}
	req := map[string]any{
		"userAttributes": e.attributes(), "codeParameter": CodeParameter, "linkParameter": "{##Click Here##}",
		"usernameParameter": nil, "clientMetadata": orNull(e.ClientMetadata),
	}
	if m.Invitation {
		req["usernameParameter"] = UsernameParameter
	}
	resp := map[string]any{"smsMessage": nil, "emailMessage": nil, "emailSubject": nil}
	var out struct {
		SMSMessage   string `json:"smsMessage"`
		EmailMessage string `json:"emailMessage"`
		EmailSubject string `json:"emailSubject"`
	}
	if err := l.call(ctx, "CustomMessage", fn, "1", e, req, resp, &out); err != nil {
		return err
	}
	usable := func(s string) bool {
		return strings.Contains(s, CodeParameter) && (!m.Invitation || strings.Contains(s, UsernameParameter))
	}
	if usable(out.SMSMessage) {
		m.SMSMessage = out.SMSMessage
	}
	if usable(out.EmailMessage) {
		m.EmailMessage = out.EmailMessage
		if out.EmailSubject != "" {
			m.Subject = out.EmailSubject
		}
	}
	return nil
}

// Values of the user migration trigger's finalUserStatus and
// messageAction.
const (
	statusConfirmed     = "CONFIRMED"
	statusResetRequired = "RESET_REQUIRED"
	actionSuppress      = "SUPPRESS"
)

// MigrateUser implements Hooks. The function knows the user when it
// answers with attributes; a function error is Cognito's
// UserLambdaValidationException, which the flows turn into "user not
// found" as Cognito does.
func (l *Lambda) MigrateUser(ctx context.Context, e *Event, password string) (*MigratedUser, bool, error) {
	fn := config(e).UserMigration
	if fn == "" {
		return nil, false, nil
	}
	req := map[string]any{"validationData": orNull(e.ValidationData), "clientMetadata": orNull(e.ClientMetadata)}
	if e.Source == "UserMigration_Authentication" {
		req["password"] = password
	}
	resp := map[string]any{
		"userAttributes": nil, "finalUserStatus": nil, "messageAction": nil, "desiredDeliveryMediums": nil,
		"forceAliasCreation": nil, "enableSMSMFA": nil,
	}
	var out struct {
		UserAttributes         map[string]string `json:"userAttributes"`
		FinalUserStatus        string            `json:"finalUserStatus"`
		MessageAction          string            `json:"messageAction"`
		DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
		ForceAliasCreation     bool              `json:"forceAliasCreation"`
	}
	if err := l.call(ctx, "UserMigration", fn, "1", e, req, resp, &out); err != nil {
		return nil, false, err
	}
	if out.UserAttributes == nil {
		return nil, false, errUnrecognizable()
	}
	switch out.FinalUserStatus {
	case "", statusConfirmed, statusResetRequired:
	default:
		return nil, false, errUnrecognizable()
	}
	switch out.MessageAction {
	case "", actionSuppress:
	default:
		return nil, false, errUnrecognizable()
	}
	for _, d := range out.DesiredDeliveryMediums {
		if d != model.DeliveryMediumTypeEmail && d != model.DeliveryMediumTypeSms {
			return nil, false, errUnrecognizable()
		}
	}
	return &MigratedUser{
		Attributes: out.UserAttributes, FinalUserStatus: out.FinalUserStatus, MessageAction: out.MessageAction,
		DesiredDeliveries: out.DesiredDeliveryMediums, ForceAliasCreation: out.ForceAliasCreation,
	}, true, nil
}

// sessionEntry is one entry of a custom authentication's session.
type sessionEntry struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata,omitempty"`
}

func sessionEntries(session []Challenge) []sessionEntry {
	out := make([]sessionEntry, len(session))
	for i, c := range session {
		out[i] = sessionEntry{ChallengeName: c.Name, ChallengeResult: c.Result, ChallengeMetadata: c.Metadata}
	}
	return out
}

// errNoCustomAuth is Cognito's answer to CUSTOM_AUTH in a pool without the
// define auth challenge trigger.
func errNoCustomAuth() error {
	return &model.InvalidParameterException{Message: "Custom auth lambda trigger is not configured for the user pool."}
}

// DefineAuthChallenge implements Hooks.
func (l *Lambda) DefineAuthChallenge(ctx context.Context, e *Event, session []Challenge) (ChallengeDecision, error) {
	fn := config(e).DefineAuthChallenge
	if fn == "" {
		return ChallengeDecision{}, errNoCustomAuth()
	}
	req := map[string]any{
		"userAttributes": e.attributes(), "session": sessionEntries(session), "clientMetadata": orNull(e.ClientMetadata),
		"userNotFound": e.UserNotFound,
	}
	resp := map[string]any{"challengeName": nil, "issueTokens": nil, "failAuthentication": nil}
	var out struct {
		ChallengeName      string `json:"challengeName"`
		IssueTokens        bool   `json:"issueTokens"`
		FailAuthentication bool   `json:"failAuthentication"`
	}
	if err := l.call(ctx, "DefineAuthChallenge", fn, "1", e, req, resp, &out); err != nil {
		return ChallengeDecision{}, err
	}
	return ChallengeDecision{IssueTokens: out.IssueTokens, FailAuthentication: out.FailAuthentication, ChallengeName: out.ChallengeName}, nil
}

// CreateAuthChallenge implements Hooks.
func (l *Lambda) CreateAuthChallenge(ctx context.Context, e *Event, name string, session []Challenge) (map[string]string, map[string]string, string, error) {
	fn := config(e).CreateAuthChallenge
	if fn == "" {
		return nil, nil, "", &model.InvalidLambdaResponseException{Message: "Create Auth Challenge Lambda trigger is not configured for the user pool."}
	}
	req := map[string]any{
		"userAttributes": e.attributes(), "challengeName": name, "session": sessionEntries(session),
		"clientMetadata": orNull(e.ClientMetadata), "userNotFound": e.UserNotFound,
	}
	resp := map[string]any{"publicChallengeParameters": nil, "privateChallengeParameters": nil, "challengeMetadata": nil}
	var out struct {
		Public   map[string]string `json:"publicChallengeParameters"`
		Private  map[string]string `json:"privateChallengeParameters"`
		Metadata string            `json:"challengeMetadata"`
	}
	if err := l.call(ctx, "CreateAuthChallenge", fn, "1", e, req, resp, &out); err != nil {
		return nil, nil, "", err
	}
	return out.Public, out.Private, out.Metadata, nil
}

// VerifyAuthChallenge implements Hooks.
func (l *Lambda) VerifyAuthChallenge(ctx context.Context, e *Event, private map[string]string, answer string) (bool, error) {
	fn := config(e).VerifyAuthChallengeResponse
	if fn == "" {
		return false, &model.InvalidLambdaResponseException{Message: "Verify Auth Challenge Response Lambda trigger is not configured for the user pool."}
	}
	req := map[string]any{
		"userAttributes": e.attributes(), "privateChallengeParameters": private, "challengeAnswer": answer,
		"clientMetadata": orNull(e.ClientMetadata), "userNotFound": e.UserNotFound,
	}
	var out struct {
		AnswerCorrect bool `json:"answerCorrect"`
	}
	if err := l.call(ctx, "VerifyAuthChallengeResponse", fn, "1", e, req, map[string]any{"answerCorrect": nil}, &out); err != nil {
		return false, err
	}
	return out.AnswerCorrect, nil
}
