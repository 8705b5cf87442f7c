// Package signin implements the sign-in operations: InitiateAuth,
// AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge
// (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH with
// PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, REFRESH_TOKEN_AUTH),
// GetTokensFromRefreshToken, RevokeToken, GlobalSignOut and
// AdminUserGlobalSignOut. The shared machinery (lockout, sessions, tokens)
// is internal/authn's.
package signin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// Service serves the sign-in operations.
type Service struct {
	ops.Deps
	// Observe, when set, is told the flow (the AuthFlow, or the challenge
	// answered) and outcome of every sign-in step: "success" when it signs
	// the user in, "challenge" when it asks for another step, else the
	// exception name.
	Observe func(flow, outcome string)
	// Passkeys runs the WEB_AUTHN challenge.
	Passkeys *passkey.Service
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpInitiateAuth, s.InitiateAuth)
	awsjson.Handle(m, model.OpAdminInitiateAuth, s.AdminInitiateAuth)
	awsjson.Handle(m, model.OpRespondToAuthChallenge, s.RespondToAuthChallenge)
	awsjson.Handle(m, model.OpAdminRespondToAuthChallenge, s.AdminRespondToAuthChallenge)
	awsjson.Handle(m, model.OpGetTokensFromRefreshToken, s.GetTokensFromRefreshToken)
	awsjson.Handle(m, model.OpRevokeToken, s.RevokeToken)
	awsjson.Handle(m, model.OpGlobalSignOut, s.GlobalSignOut)
	awsjson.Handle(m, model.OpAdminUserGlobalSignOut, s.AdminUserGlobalSignOut)
}

// outcome is the result of a sign-in step: tokens, or a challenge.
type outcome struct {
	tokens    *model.AuthenticationResultType
	challenge string
	params    map[string]string
	session   string
	// user is the signed-in user of a hosted sign-in, which gets no tokens
	// here.
	user *store.User
	// available are the AvailableChallenges of a SELECT_CHALLENGE.
	available []string
}

// request is one sign-in step as both the public and the admin operations
// receive it.
type request struct {
	client   *appclient.Client
	admin    bool
	flow     string
	params   map[string]string
	metadata map[string]string
	// custom is the custom authentication a PASSWORD_VERIFIER challenge
	// belongs to (CUSTOM_AUTH with SRP_A).
	custom *authn.CustomAuth
	// hosted marks a step of the managed login pages: the client secret is
	// the pages' to check, and a finished sign-in returns its user instead
	// of tokens.
	hosted bool
	// ip is the user's IP address as the request's context data gives it,
	// for the auth event history.
	ip string
	// firstFactor marks the answer to a USER_AUTH first factor challenge.
	firstFactor bool
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

func flowNotEnabled(flow string) error {
	return invalid("%s flow not enabled for this client", flow)
}

// InitiateAuth starts a sign-in at a public app client.
func (s *Service) InitiateAuth(ctx context.Context, in *model.InitiateAuthRequest) (*model.InitiateAuthResponse, error) {
	c, err := appclient.Load(ctx, s.Pools, s.Store, in.ClientId)
	if err != nil {
		return nil, err
	}
	o, err := s.initiate(ctx, &request{client: c, flow: in.AuthFlow, params: in.AuthParameters, metadata: in.ClientMetadata, ip: userIP(in.UserContextData)})
	if err != nil {
		return nil, err
	}
	return &model.InitiateAuthResponse{AuthenticationResult: o.tokens, ChallengeName: o.challenge, ChallengeParameters: o.params, Session: o.session, AvailableChallenges: o.available}, nil
}

// AdminInitiateAuth starts a sign-in as an administrator.
func (s *Service) AdminInitiateAuth(ctx context.Context, in *model.AdminInitiateAuthRequest) (*model.AdminInitiateAuthResponse, error) {
	c, err := appclient.LoadInPool(ctx, s.Pools, s.Store, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	o, err := s.initiate(ctx, &request{client: c, admin: true, flow: in.AuthFlow, params: in.AuthParameters, metadata: in.ClientMetadata, ip: contextIP(in.ContextData)})
	if err != nil {
		return nil, err
	}
	return &model.AdminInitiateAuthResponse{AuthenticationResult: o.tokens, ChallengeName: o.challenge, ChallengeParameters: o.params, Session: o.session, AvailableChallenges: o.available}, nil
}

// initiate runs the first step of a flow.
func (s *Service) initiate(ctx context.Context, r *request) (o *outcome, err error) {
	defer func() { s.recordStep(ctx, r, o, err); s.observe(r, o, err) }()
	c := r.client
	switch r.flow {
	case model.AuthFlowTypeUserPasswordAuth:
		if r.admin {
			return nil, invalid("Initiate Auth method not supported.")
		}
		if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowUserPasswordAuth) {
			return nil, flowNotEnabled("USER_PASSWORD_AUTH")
		}
		return s.password(ctx, r)
	case model.AuthFlowTypeAdminUserPasswordAuth, model.AuthFlowTypeAdminNoSrpAuth:
		if !r.admin {
			return nil, invalid("Initiate Auth method not supported.")
		}
		if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth) {
			return nil, invalid("Auth flow not enabled for this client")
		}
		return s.password(ctx, r)
	case model.AuthFlowTypeUserSrpAuth:
		if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowUserSrpAuth) {
			return nil, flowNotEnabled("USER_SRP_AUTH")
		}
		return s.startSRP(ctx, r)
	case model.AuthFlowTypeRefreshTokenAuth, model.AuthFlowTypeRefreshToken:
		return s.refresh(ctx, r)
	case model.AuthFlowTypeCustomAuth:
		if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowCustomAuth) {
			return nil, flowNotEnabled("CUSTOM_AUTH")
		}
		return s.startCustom(ctx, r)
	case model.AuthFlowTypeUserAuth:
		if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowUserAuth) {
			return nil, flowNotEnabled("USER_AUTH")
		}
		return s.userAuth(ctx, r)
	}
	return nil, invalid("Initiate Auth method not supported.")
}

// observe reports a sign-in step's outcome to Observe.
func (s *Service) observe(r *request, o *outcome, err error) {
	if s.Observe == nil {
		return
	}
	outcome := "InternalErrorException"
	switch {
	case err != nil:
		if apiErr, ok := errors.AsType[model.APIError](err); ok {
			outcome = apiErr.ErrorCode()
		}
	case o == nil:
	case o.tokens != nil || o.user != nil:
		outcome = "success"
	case o.challenge != "":
		outcome = "challenge"
	}
	s.Observe(r.flow, outcome)
}

// param returns a required auth parameter.
func param(params map[string]string, name string) (string, error) {
	v := params[name]
	if v == "" {
		return "", invalid("Missing required parameter %s", name)
	}
	return v, nil
}

// event is the trigger event of a sign-in.
func event(r *request, u *store.User, source string) *triggers.Event {
	return &triggers.Event{
		PoolID: r.client.Pool.ID, ClientID: r.client.ID(), Username: u.Username,
		Attributes: u.Attributes, ClientMetadata: r.metadata, Source: source,
		Config: r.client.Pool.Settings.LambdaConfig, Status: u.Status,
	}
}

// findUser resolves the sign-in name; an unknown user is
// UserNotFoundException, or with PreventUserExistenceErrors the wrong
// password error.
func (s *Service) findUser(ctx context.Context, c *appclient.Client, name string) (*store.User, error) {
	u, err := c.Pool.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) && c.PreventsUserExistenceErrors() {
		return nil, authn.ErrIncorrectPassword()
	}
	return u, err
}

// credentials returns the USERNAME of a request and the other required
// parameter named (PASSWORD, SRP_A), after checking its SECRET_HASH.
func (s *Service) credentials(r *request, other string) (name, value string, err error) {
	if name, err = param(r.params, "USERNAME"); err != nil {
		return "", "", err
	}
	if value, err = param(r.params, other); err != nil {
		return "", "", err
	}
	if err := r.client.CheckSecretHash(s.Keys, name, r.params["SECRET_HASH"]); err != nil {
		return "", "", err
	}
	return name, value, nil
}

// password runs USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) password(ctx context.Context, r *request) (*outcome, error) {
	name, pw, err := s.credentials(r, "PASSWORD")
	if err != nil {
		return nil, err
	}
	return s.checkPassword(ctx, r, name, pw)
}

// checkPassword signs a user in with a password whose client has been
// checked.
func (s *Service) checkPassword(ctx context.Context, r *request, name, pw string) (*outcome, error) {
	c := r.client
	u, err := c.Pool.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) {
		u, err = s.unknownUser(ctx, r, name, pw)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
		return nil, err
	}
	if err := s.checkUsable(u); err != nil {
		return nil, err
	}
	if u, err = s.Auth.BeginPasswordCheck(ctx, u); err != nil {
		return nil, err
	}
	ok, err := s.Auth.PasswordMatches(u, pw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, authn.ErrIncorrectPassword()
	}
	if u, err = s.Auth.PasswordCheckPassed(ctx, u); err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, r, u)
}

// checkUsable refuses users who may not sign in with a password at all:
// disabled, locked out, or with password sign-in turned off.
func (s *Service) checkUsable(u *store.User) error {
	if !u.Enabled {
		return authn.ErrUserDisabled()
	}
	if err := s.Auth.CheckLockout(u); err != nil {
		return err
	}
	st, err := authn.ReadState(u)
	if err != nil {
		return err
	}
	if st.PasswordDisabled {
		return authn.ErrIncorrectPassword()
	}
	return nil
}

// afterPassword finishes a sign-in whose password was right: the status
// challenges, the MFA gate, the post authentication trigger and tokens.
func (s *Service) afterPassword(ctx context.Context, r *request, u *store.User) (*outcome, error) {
	p := r.client.Pool
	switch u.Status {
	case model.UserStatusTypeUnconfirmed:
		return nil, &model.UserNotConfirmedException{Message: "User is not confirmed."}
	case model.UserStatusTypeResetRequired:
		return nil, &model.PasswordResetRequiredException{Message: "Password reset required for the user"}
	case model.UserStatusTypeForceChangePassword:
		if s.Auth.TemporaryPasswordExpired(p, u) {
			return nil, authn.ErrTemporaryPasswordExpired()
		}
		return s.newPasswordChallenge(ctx, r, u)
	}
	return s.finish(ctx, r, u, "PostAuthentication_Authentication", "TokenGeneration_Authentication")
}

// finish issues tokens once the first factor is in, or asks for the second
// factor the pool and the user call for.
func (s *Service) finish(ctx context.Context, r *request, u *store.User, postSource, tokenSource string) (*outcome, error) {
	if o, err := s.challengeDevice(ctx, r, u, tokenSource); o != nil || err != nil {
		return o, err
	}
	if o, err := s.challengeMFA(ctx, r, u, tokenSource); o != nil || err != nil {
		return o, err
	}
	return s.issue(ctx, r, u, postSource, tokenSource)
}

// issue runs the post authentication trigger and issues tokens.
func (s *Service) issue(ctx context.Context, r *request, u *store.User, postSource, tokenSource string) (*outcome, error) {
	if err := s.Auth.Triggers().PostAuthentication(ctx, event(r, u, postSource)); err != nil {
		return nil, err
	}
	if r.hosted {
		return &outcome{user: u}, nil
	}
	res, err := s.Auth.Issue(ctx, authn.Grant{Client: r.client, User: u, AuthTime: s.Now(), Source: tokenSource, ClientMetadata: r.metadata})
	if err != nil {
		return nil, err
	}
	if res.NewDeviceMetadata, err = s.deviceMetadata(ctx, r, u); err != nil {
		return nil, err
	}
	return &outcome{tokens: res, params: map[string]string{}}, nil
}

// newPasswordChallenge answers a FORCE_CHANGE_PASSWORD user with the
// NEW_PASSWORD_REQUIRED challenge.
func (s *Service) newPasswordChallenge(ctx context.Context, r *request, u *store.User) (*outcome, error) {
	p := r.client.Pool
	attrs := maps.Clone(u.Attributes)
	delete(attrs, "sub")
	ua, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("encode userAttributes: %w", err)
	}
	required := []string{}
	for _, a := range p.Settings.SchemaAttributes {
		if a.Required != nil && *a.Required && u.Attributes[a.Name] == "" {
			required = append(required, "userAttributes."+a.Name)
		}
	}
	ra, err := json.Marshal(required)
	if err != nil {
		return nil, fmt.Errorf("encode requiredAttributes: %w", err)
	}
	session, err := s.Auth.NewSession(ctx, r.client, u, &authn.SessionData{Challenge: model.ChallengeNameTypeNewPasswordRequired, Username: u.Username})
	if err != nil {
		return nil, err
	}
	return &outcome{
		challenge: model.ChallengeNameTypeNewPasswordRequired, session: session,
		params: map[string]string{"USER_ID_FOR_SRP": u.Username, "requiredAttributes": string(ra), "userAttributes": string(ua)},
	}, nil
}

// secretBlockSize is the size of the SECRET_BLOCK of a PASSWORD_VERIFIER
// challenge.
const secretBlockSize = 64

// startSRP answers USER_SRP_AUTH with the PASSWORD_VERIFIER challenge.
func (s *Service) startSRP(ctx context.Context, r *request) (*outcome, error) {
	c := r.client
	name, srpA, err := s.credentials(r, "SRP_A")
	if err != nil {
		return nil, err
	}
	b, err := srp.NewEphemeral(s.Rand)
	if err != nil {
		return nil, err
	}
	block := make([]byte, secretBlockSize)
	if _, err := io.ReadFull(s.Rand, block); err != nil {
		return nil, fmt.Errorf("draw secret block: %w", err)
	}
	u, err := c.Pool.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) && c.PreventsUserExistenceErrors() {
		return s.simulatedSRP(c, name, srpA, b, block)
	}
	if err != nil {
		return nil, err
	}
	// A custom authentication ran the trigger when it began.
	if r.custom == nil {
		if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
			return nil, err
		}
	}
	if err := s.checkUsable(u); err != nil {
		return nil, err
	}
	if len(u.Password) == 0 {
		return nil, authn.ErrIncorrectPassword()
	}
	cred, err := password.Open(s.Keys, u.PoolID, u.Username, u.Password)
	if err != nil {
		return nil, err
	}
	srv, err := srp.NewServer(cred.Verifier, srpA, b)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, invalid("SRP_A is not a valid SRP public value")
	}
	if err != nil {
		return nil, err
	}
	session, err := s.Auth.NewSessionAs(ctx, c, u, &authn.SessionData{
		Challenge: model.ChallengeNameTypePasswordVerifier, Username: u.Username, SRPA: srpA, SRPb: b, SecretBlock: block, SRPB: srv.B(),
		Custom: r.custom,
	}, srpSession(block))
	if err != nil {
		return nil, err
	}
	return &outcome{
		challenge: model.ChallengeNameTypePasswordVerifier, session: session,
		params: map[string]string{
			"SALT": hex.EncodeToString(cred.Salt), "SRP_B": srv.B(), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(block),
			"USER_ID_FOR_SRP": u.Username, "USERNAME": u.Username,
		},
	}, nil
}

// simulatedSRP answers USER_SRP_AUTH for a user that does not exist, in a
// client with PreventUserExistenceErrors, with a challenge that looks like a
// real one: its salt and verifier are derived from the master key, the pool
// and the name, so asking twice gives the same SALT, as for a real user;
// in a pool whose usernames are email addresses or phone numbers,
// USER_ID_FOR_SRP is a UUID derived the same way, as a real user's is the
// UUID of their username. The session it returns has the form of a real
// one but is not stored; answering it fails as a wrong password does.
func (s *Service) simulatedSRP(c *appclient.Client, name, srpA string, b, block []byte) (*outcome, error) {
	secret := s.Keys.Derive("simulated srp|" + c.Pool.ID + "|" + name)
	salt := secret[:srp.SaltSize]
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("verifier"))
	v := srp.NewVerifier(password.PoolName(c.Pool.ID), name, mac.Sum(nil), salt)
	srv, err := srp.NewServer(v, srpA, b)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, invalid("SRP_A is not a valid SRP public value")
	}
	if err != nil {
		return nil, err
	}
	session := srpSession(block)
	userID := name
	if len(c.Pool.UsernameAttributes()) > 0 {
		userID = s.Auth.SimulatedUserID(c.Pool.ID, name)
	}
	return &outcome{
		challenge: model.ChallengeNameTypePasswordVerifier, session: session,
		params: map[string]string{
			"SALT": hex.EncodeToString(salt), "SRP_B": srv.B(), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(block),
			"USER_ID_FOR_SRP": userID, "USERNAME": userID,
		},
	}, nil
}

// refresh runs REFRESH_TOKEN_AUTH.
func (s *Service) refresh(ctx context.Context, r *request) (*outcome, error) {
	c := r.client
	if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
		return nil, flowNotEnabled("REFRESH_TOKEN_AUTH")
	}
	if rotationEnabled(c) {
		return nil, invalid("Refresh token rotation is enabled for this app client: refresh tokens with GetTokensFromRefreshToken.")
	}
	raw, err := param(r.params, "REFRESH_TOKEN")
	if err != nil {
		return nil, err
	}
	_, u, err := s.Auth.RefreshTokenUser(ctx, c, raw)
	if err != nil {
		return nil, err
	}
	if c.HasSecret() {
		hash := r.params["SECRET_HASH"]
		names := []string{u.Username, u.Sub}
		if n := r.params["USERNAME"]; n != "" {
			names = append([]string{n}, names...)
		}
		var last error
		for _, n := range names {
			if last = c.CheckSecretHash(s.Keys, n, hash); last == nil {
				break
			}
		}
		if last != nil {
			return nil, last
		}
	}
	res, _, err := s.Auth.Refresh(ctx, c, raw, false, r.metadata)
	if err != nil {
		return nil, err
	}
	return &outcome{tokens: res, params: map[string]string{}}, nil
}

// rotationEnabled reports whether the client rotates refresh tokens.
func rotationEnabled(c *appclient.Client) bool {
	rt := c.Settings.RefreshTokenRotation
	return rt != nil && rt.Feature == model.FeatureTypeEnabled
}

// RespondToAuthChallenge answers a challenge at a public app client.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *model.RespondToAuthChallengeRequest) (*model.RespondToAuthChallengeResponse, error) {
	c, err := appclient.Load(ctx, s.Pools, s.Store, in.ClientId)
	if err != nil {
		return nil, err
	}
	o, err := s.respond(ctx, &request{client: c, flow: in.ChallengeName, params: in.ChallengeResponses, metadata: in.ClientMetadata, ip: userIP(in.UserContextData)}, in.Session)
	if err != nil {
		return nil, err
	}
	return &model.RespondToAuthChallengeResponse{AuthenticationResult: o.tokens, ChallengeName: o.challenge, ChallengeParameters: o.params, Session: o.session}, nil
}

// AdminRespondToAuthChallenge answers a challenge as an administrator.
func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *model.AdminRespondToAuthChallengeRequest) (*model.AdminRespondToAuthChallengeResponse, error) {
	c, err := appclient.LoadInPool(ctx, s.Pools, s.Store, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	o, err := s.respond(ctx, &request{client: c, admin: true, flow: in.ChallengeName, params: in.ChallengeResponses, metadata: in.ClientMetadata, ip: contextIP(in.ContextData)}, in.Session)
	if err != nil {
		return nil, err
	}
	return &model.AdminRespondToAuthChallengeResponse{AuthenticationResult: o.tokens, ChallengeName: o.challenge, ChallengeParameters: o.params, Session: o.session}, nil
}

// respond runs the answer to a challenge: r.flow is the challenge name.
func (s *Service) respond(ctx context.Context, r *request, rawSession string) (o *outcome, err error) {
	defer func() { s.recordStep(ctx, r, o, err); s.observe(r, o, err) }()
	c := r.client
	name, err := param(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if !r.hosted {
		if err := c.CheckSecretHash(s.Keys, name, r.params["SECRET_HASH"]); err != nil {
			return nil, err
		}
	}
	if rawSession == "" && r.flow == model.ChallengeNameTypePasswordVerifier {
		rawSession = srpSessionOf(r.params["PASSWORD_CLAIM_SECRET_BLOCK"])
	}
	sess, err := s.Auth.OpenSession(ctx, c, rawSession)
	if err != nil {
		var na *model.NotAuthorizedException
		if errors.As(err, &na) && c.PreventsUserExistenceErrors() {
			// A simulated challenge's session is not stored: for a user who
			// does not exist, answer as for a wrong password, after the
			// work a wrong one costs.
			if _, ferr := c.Pool.FindUser(ctx, s.Store, name); ferr != nil {
				if r.flow == model.ChallengeNameTypePasswordVerifier {
					block, _ := base64.StdEncoding.DecodeString(r.params["PASSWORD_CLAIM_SECRET_BLOCK"])
					if err := s.Auth.DecoyPasswordVerifier(block, r.params["TIMESTAMP"], r.params["PASSWORD_CLAIM_SIGNATURE"]); err != nil {
						return nil, err
					}
				}
				return nil, authn.ErrIncorrectPassword()
			}
		}
		return nil, err
	}
	u, err := s.findUser(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if u.Sub != sess.Rec.Sub || u.Username != sess.Data.Username {
		return nil, authn.ErrInvalidSession()
	}
	if r.flow != sess.Data.Challenge {
		return nil, invalid("Invalid challenge name for the session: expected %s", sess.Data.Challenge)
	}
	if sess.Data.FirstFactor {
		r.firstFactor = true
		return s.respondFirstFactor(ctx, r, u, sess)
	}
	switch r.flow {
	case model.ChallengeNameTypePasswordVerifier:
		return s.verifyPassword(ctx, r, u, sess)
	case model.ChallengeNameTypeNewPasswordRequired:
		return s.newPassword(ctx, r, u, sess)
	case model.ChallengeNameTypeCustomChallenge:
		return s.answerCustom(ctx, r, u, sess)
	case model.ChallengeNameTypeSmsMfa, model.ChallengeNameTypeEmailOtp, model.ChallengeNameTypeSoftwareTokenMfa,
		model.ChallengeNameTypeSelectMfaType, model.ChallengeNameTypeMfaSetup:
		return s.respondMFA(ctx, r, u, sess)
	case model.ChallengeNameTypeDeviceSrpAuth, model.ChallengeNameTypeDevicePasswordVerifier:
		return s.respondDevice(ctx, r, u, sess)
	}
	return nil, invalid("Challenge %s is not supported", r.flow)
}

// verifyPassword checks the client's PASSWORD_VERIFIER answer.
func (s *Service) verifyPassword(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	if err := s.checkUsable(u); err != nil {
		return nil, err
	}
	sig, ts, err := passwordClaim(r, sess)
	if err != nil {
		return nil, err
	}
	if u, err = s.Auth.BeginPasswordCheck(ctx, u); err != nil {
		return nil, err
	}
	cred, err := password.Open(s.Keys, u.PoolID, u.Username, u.Password)
	if err != nil {
		return nil, err
	}
	srv, err := srp.Resume(cred.Verifier, sess.Data.SRPA, sess.Data.SRPb, sess.Data.SRPB)
	if err != nil {
		return nil, err
	}
	if !srv.Verify(password.PoolName(u.PoolID), u.Username, sess.Data.SecretBlock, ts, sig) {
		return nil, authn.ErrIncorrectPassword()
	}
	if u, err = s.Auth.PasswordCheckPassed(ctx, u); err != nil {
		return nil, err
	}
	if sess.Data.Custom != nil {
		return s.afterCustomPassword(ctx, r, u, sess.Data.Custom)
	}
	return s.afterPassword(ctx, r, u)
}

// newPassword completes NEW_PASSWORD_REQUIRED: the new password, and the
// attributes the user had to give.
func (s *Service) newPassword(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	c := r.client
	p := c.Pool
	pw, err := param(r.params, "NEW_PASSWORD")
	if err != nil {
		return nil, err
	}
	var given []model.AttributeType
	for k, v := range r.params {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			if !c.CanWrite(name) {
				return nil, &model.NotAuthorizedException{Message: "A client attempted to write unauthorized attribute"}
			}
			given = append(given, model.AttributeType{Name: name, Value: v})
		}
	}
	slices.SortFunc(given, func(a, b model.AttributeType) int { return strings.Compare(a.Name, b.Name) })
	if err := p.CheckAttributeValues(given, true); err != nil {
		return nil, err
	}
	attrs := maps.Clone(u.Attributes)
	for _, a := range given {
		attrs[a.Name] = a.Value
	}
	for _, a := range p.Settings.SchemaAttributes {
		if a.Required != nil && *a.Required && attrs[a.Name] == "" {
			return nil, invalid("Invalid attributes given, %s is missing", a.Name)
		}
	}
	sealed, err := s.Auth.SetPassword(p, u, pw)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	now := s.Now()
	updated, err := s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		if u.Status != model.UserStatusTypeForceChangePassword {
			return authn.ErrInvalidSession()
		}
		authn.RememberPassword(p, u, st, sealed, now)
		u.Status = model.UserStatusTypeConfirmed
		u.Attributes = attrs
		u.Aliases = p.Aliases(attrs)
		u.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrAliasConflict) {
		return nil, &model.AliasExistsException{Message: "An account with the given email already exists."}
	}
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, r, updated, "PostAuthentication_Authentication", "TokenGeneration_NewPasswordChallenge")
}

// GetTokensFromRefreshToken refreshes tokens, rotating the refresh token
// when the client has refresh token rotation.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *model.GetTokensFromRefreshTokenRequest) (*model.GetTokensFromRefreshTokenResponse, error) {
	c, err := appclient.Load(ctx, s.Pools, s.Store, in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.checkClientSecret(c, in.ClientSecret); err != nil {
		return nil, err
	}
	if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
		return nil, flowNotEnabled("REFRESH_TOKEN_AUTH")
	}
	res, _, err := s.Auth.Refresh(ctx, c, in.RefreshToken, rotationEnabled(c), in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.GetTokensFromRefreshTokenResponse{AuthenticationResult: res}, nil
}

// checkClientSecret checks the ClientSecret of the operations that take
// the secret itself rather than a SECRET_HASH.
func (s *Service) checkClientSecret(c *appclient.Client, secret string) error {
	if !c.HasSecret() {
		return nil
	}
	if secret == "" {
		return &model.NotAuthorizedException{Message: fmt.Sprintf("Client %s is configured with secret but ClientSecret was not received", c.ID())}
	}
	ok := false
	for _, sec := range c.Rec.Secrets {
		v, err := appclient.OpenSecret(s.Keys, c.ID(), sec)
		if err != nil {
			return err
		}
		if hmac.Equal([]byte(v), []byte(secret)) {
			ok = true
		}
	}
	if !ok {
		return &model.NotAuthorizedException{Message: fmt.Sprintf("Unable to verify secret for client %s", c.ID())}
	}
	return nil
}

// RevokeToken revokes a refresh token and the access tokens issued with it.
func (s *Service) RevokeToken(ctx context.Context, in *model.RevokeTokenRequest) (*model.RevokeTokenResponse, error) {
	c, err := appclient.Load(ctx, s.Pools, s.Store, in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.checkClientSecret(c, in.ClientSecret); err != nil {
		return nil, err
	}
	if !c.RevocationEnabled() {
		return nil, &model.UnsupportedOperationException{Message: "Token revocation is not enabled for this app client."}
	}
	if strings.Count(in.Token, ".") == 2 {
		return nil, &model.UnsupportedTokenTypeException{Message: "Only refresh tokens can be revoked."}
	}
	if err := s.Auth.RevokeRefreshToken(ctx, c, in.Token); err != nil {
		return nil, err
	}
	return &model.RevokeTokenResponse{}, nil
}

// GlobalSignOut signs the holder of an access token out everywhere.
func (s *Service) GlobalSignOut(ctx context.Context, in *model.GlobalSignOutRequest) (*model.GlobalSignOutResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.SignOut(ctx, pr.User); err != nil {
		return nil, err
	}
	return &model.GlobalSignOutResponse{}, nil
}

// AdminUserGlobalSignOut signs a user out everywhere.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *model.AdminUserGlobalSignOutRequest) (*model.AdminUserGlobalSignOutResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u, err := p.FindUser(ctx, s.Store, in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.SignOut(ctx, u); err != nil {
		return nil, err
	}
	return &model.AdminUserGlobalSignOutResponse{}, nil
}

// passwordClaim reads the PASSWORD_CLAIM_SIGNATURE and TIMESTAMP of an
// SRP verifier answer (a password's or a device's) and checks that its
// PASSWORD_CLAIM_SECRET_BLOCK is the one the session issued.
func passwordClaim(r *request, sess *authn.Session) (sig, ts string, err error) {
	if sig, err = param(r.params, "PASSWORD_CLAIM_SIGNATURE"); err != nil {
		return "", "", err
	}
	if ts, err = param(r.params, "TIMESTAMP"); err != nil {
		return "", "", err
	}
	if _, err := time.Parse(srp.TimestampLayout, ts); err != nil {
		return "", "", invalid("TIMESTAMP is not in the format %s", srp.TimestampLayout)
	}
	block, err := base64.StdEncoding.DecodeString(r.params["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil || !hmac.Equal(block, sess.Data.SecretBlock) {
		return "", "", authn.ErrInvalidSession()
	}
	return sig, ts, nil
}
