// Package triggers is the one interface through which the operations call
// Cognito's Lambda trigger points: pre sign-up, post confirmation, pre and
// post authentication, pre token generation, custom message, user
// migration, the three custom-auth challenge triggers, the custom email
// and SMS senders and inbound federation. The default,
// None, changes nothing and refuses nothing; Lambda invokes the functions
// a pool's LambdaConfig names, through an Invoker (the AWS Lambda Invoke
// API, or per-function HTTP endpoints), with the events Cognito sends.
package triggers

import (
	"context"

	"github.com/cognate-idp/cognate/internal/model"
)

// Event is what every trigger receives: the pool, the app client (empty for
// admin operations without one), the user and the caller's client metadata.
type Event struct {
	PoolID         string
	ClientID       string
	Username       string
	Attributes     map[string]string
	ClientMetadata map[string]string
	// ValidationData is the validation data SignUp and AdminCreateUser
	// pass to the pre sign-up trigger.
	ValidationData map[string]string
	// Source is Cognito's triggerSource, for example "PreSignUp_SignUp".
	Source string
	// Config is the pool's LambdaConfig: which functions to call (nil or
	// empty calls none).
	Config *model.LambdaConfigType
	// Status is the user's status, sent as the cognito:user_status
	// attribute where Cognito sends it (empty leaves it out).
	Status string
	// UserNotFound tells the custom authentication and pre authentication
	// triggers that the user does not exist (a client with
	// PreventUserExistenceErrors).
	UserNotFound bool
}

// PreSignUpResult is what a pre sign-up trigger may decide.
type PreSignUpResult struct {
	AutoConfirmUser bool
	AutoVerifyEmail bool
	AutoVerifyPhone bool
}

// TokenClaims is what a pre token generation trigger may change in the
// tokens about to be issued.
type TokenClaims struct {
	// ID and Access are the claims of the ID and access tokens; a trigger
	// may add, change or remove claims other than the reserved ones.
	ID     map[string]any
	Access map[string]any
	Groups []string
	// Roles and PreferredRole are the cognito:roles and
	// cognito:preferred_role of the groups; the trigger may replace them.
	Roles         []string
	PreferredRole string
}

// Message is a message about to be sent (a code, an invitation); a custom
// message trigger may replace its texts.
type Message struct {
	Code         string
	Subject      string
	EmailMessage string
	SMSMessage   string
	// Invitation marks an AdminCreateUser invitation, whose texts carry
	// the {username} placeholder too.
	Invitation bool
}

// MigratedUser is what a user migration trigger returns for a user that
// exists elsewhere: its attributes and the status it arrives in.
type MigratedUser struct {
	Attributes        map[string]string
	FinalUserStatus   string
	MessageAction     string
	DesiredDeliveries []string
	// ForceAliasCreation moves an email or phone alias another user holds
	// to the migrated user, as AdminCreateUser's ForceAliasCreation does.
	ForceAliasCreation bool
}

// ProviderAttributes are the raw attributes an external identity provider
// sent, as the inbound federation trigger receives them: the token
// endpoint's answer, the ID token's claims and the userInfo endpoint's
// claims (OIDC and social providers), or the assertion's attributes
// (SAML). Each is nil when the provider type does not send it. The token
// response holds secrets: it goes into the event and nowhere else.
type ProviderAttributes struct {
	TokenResponse map[string]string
	IDToken       map[string]string
	UserInfo      map[string]string
	SAMLResponse  map[string]string
}

// Challenge is the state of a custom authentication: the challenges so far
// and their results, for the define/create/verify auth challenge triggers.
type Challenge struct {
	Name   string
	Result bool
	// Metadata is the create trigger's challengeMetadata.
	Metadata string
}

// ChallengeDecision is what a define auth challenge trigger decides.
type ChallengeDecision struct {
	IssueTokens        bool
	FailAuthentication bool
	ChallengeName      string
}

// Hooks are the trigger points. An error refuses the operation: the flows
// return it to the caller (as Cognito returns a trigger's failure, for
// example UserLambdaValidationException). Implementations must be safe for
// concurrent use.
type Hooks interface {
	// PreSignUp runs before SignUp and AdminCreateUser store a user.
	PreSignUp(ctx context.Context, e *Event) (PreSignUpResult, error)
	// PostConfirmation runs after a user is confirmed (sign-up or forgotten
	// password).
	PostConfirmation(ctx context.Context, e *Event) error
	// PreAuthentication runs before a sign-in checks the password.
	PreAuthentication(ctx context.Context, e *Event) error
	// PostAuthentication runs after a sign-in succeeds, before tokens are
	// issued.
	PostAuthentication(ctx context.Context, e *Event) error
	// PreTokenGeneration runs before tokens are signed and may change their
	// claims.
	PreTokenGeneration(ctx context.Context, e *Event, c *TokenClaims) error
	// CustomMessage runs before a message is sent and may change its texts.
	CustomMessage(ctx context.Context, e *Event, m *Message) error
	// MigrateUser runs when a sign-in or forgotten-password request names a
	// user the pool does not have; ok is false when the user is unknown
	// there too.
	MigrateUser(ctx context.Context, e *Event, password string) (u *MigratedUser, ok bool, err error)
	// DefineAuthChallenge decides the next step of a custom authentication.
	DefineAuthChallenge(ctx context.Context, e *Event, session []Challenge) (ChallengeDecision, error)
	// CreateAuthChallenge makes the challenge's public and private parameters.
	CreateAuthChallenge(ctx context.Context, e *Event, name string, session []Challenge) (public, private map[string]string, metadata string, err error)
	// VerifyAuthChallenge judges the user's answer.
	VerifyAuthChallenge(ctx context.Context, e *Event, private map[string]string, answer string) (bool, error)
	// CustomSender hands a code (or temporary password) to the pool's
	// custom email or SMS sender for medium (EMAIL or SMS), which sends
	// the message in Cognate's place; e.Source is the custom message
	// source of the message (CustomMessage_SignUp, ...). handled is false
	// when the pool has no sender for the medium.
	CustomSender(ctx context.Context, e *Event, medium, code string) (handled bool, err error)
	// InboundFederation runs when an external identity comes back from its
	// provider, before its user is created or updated; it may replace the
	// identity's attributes. mapped is nil when they stay as they are (no
	// trigger, or the function answered {}).
	InboundFederation(ctx context.Context, e *Event, providerName, providerType string, raw ProviderAttributes) (mapped map[string]string, err error)
}

// None is the default Hooks: no pool has a trigger, so nothing is changed
// and nothing refused. Custom authentication fails, as in Cognito without
// the define auth challenge trigger.
type None struct{}

var _ Hooks = None{}

// PreSignUp implements Hooks.
func (None) PreSignUp(context.Context, *Event) (PreSignUpResult, error) {
	return PreSignUpResult{}, nil
}

// PostConfirmation implements Hooks.
func (None) PostConfirmation(context.Context, *Event) error { return nil }

// PreAuthentication implements Hooks.
func (None) PreAuthentication(context.Context, *Event) error { return nil }

// PostAuthentication implements Hooks.
func (None) PostAuthentication(context.Context, *Event) error { return nil }

// PreTokenGeneration implements Hooks.
func (None) PreTokenGeneration(context.Context, *Event, *TokenClaims) error { return nil }

// CustomMessage implements Hooks.
func (None) CustomMessage(context.Context, *Event, *Message) error { return nil }

// MigrateUser implements Hooks.
func (None) MigrateUser(context.Context, *Event, string) (*MigratedUser, bool, error) {
	return nil, false, nil
}

// DefineAuthChallenge implements Hooks.
func (None) DefineAuthChallenge(context.Context, *Event, []Challenge) (ChallengeDecision, error) {
	return ChallengeDecision{FailAuthentication: true}, nil
}

// CreateAuthChallenge implements Hooks.
func (None) CreateAuthChallenge(context.Context, *Event, string, []Challenge) (map[string]string, map[string]string, string, error) {
	return nil, nil, "", nil
}

// CustomSender implements Hooks.
func (None) CustomSender(context.Context, *Event, string, string) (bool, error) { return false, nil }

// InboundFederation implements Hooks.
func (None) InboundFederation(context.Context, *Event, string, string, ProviderAttributes) (map[string]string, error) {
	return nil, nil
}

// VerifyAuthChallenge implements Hooks.
func (None) VerifyAuthChallenge(context.Context, *Event, map[string]string, string) (bool, error) {
	return false, nil
}
