// Package signup implements self-service registration and password
// recovery: SignUp, ConfirmSignUp, ResendConfirmationCode and
// AdminConfirmSignUp, and ForgotPassword, ConfirmForgotPassword,
// AdminResetUserPassword and AdminSetUserPassword.
package signup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the sign-up and recovery operations. Its clock, master
// key, randomness and ID generator are those of Auth.
type Service struct {
	// Deps: Auth checks and sets passwords, sends and checks codes and
	// runs the triggers.
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpSignUp, s.SignUp)
	awsjson.Handle(m, model.OpConfirmSignUp, s.ConfirmSignUp)
	awsjson.Handle(m, model.OpResendConfirmationCode, s.ResendConfirmationCode)
	awsjson.Handle(m, model.OpAdminConfirmSignUp, s.AdminConfirmSignUp)
	awsjson.Handle(m, model.OpForgotPassword, s.ForgotPassword)
	awsjson.Handle(m, model.OpConfirmForgotPassword, s.ConfirmForgotPassword)
	awsjson.Handle(m, model.OpAdminResetUserPassword, s.AdminResetUserPassword)
	awsjson.Handle(m, model.OpAdminSetUserPassword, s.AdminSetUserPassword)
}

// Trigger sources, as Cognito names them in trigger events.
const (
	sourcePreSignUp          = "PreSignUp_SignUp"
	sourceConfirmSignUp      = "PostConfirmation_ConfirmSignUp"
	sourceConfirmForgot      = "PostConfirmation_ConfirmForgotPassword"
	sourceMessageSignUp      = "CustomMessage_SignUp"
	sourceMessageResend      = "CustomMessage_ResendCode"
	sourceMessageForgot      = "CustomMessage_ForgotPassword"
	unauthorizedAttributeMsg = "A client attempted to write unauthorized attribute"
)

// errClientUserNotFound is Cognito's UserNotFoundException for the
// operations that address a user through an app client.
func errClientUserNotFound() error {
	return &model.UserNotFoundException{Message: "Username/client id combination not found."}
}

// errCodeMismatch is what a wrong code gets; with PreventUserExistenceErrors
// an unknown or disabled user gets it too.
func errCodeMismatch() error {
	return &model.CodeMismatchException{Message: "Invalid verification code provided, please try again."}
}

func errCannotConfirm(status string) error {
	return &model.NotAuthorizedException{Message: "User cannot be confirmed. Current status is " + status}
}

// publicPassword rewords a password policy error as the public operations
// (SignUp, ConfirmForgotPassword) word it; the admin operations keep
// password.Check's wording.
func publicPassword(err error) error {
	var ip *model.InvalidPasswordException
	if errors.As(err, &ip) {
		return &model.InvalidPasswordException{Message: strings.Replace(ip.Message, "Password does not conform to policy:", "Password did not conform with policy:", 1)}
	}
	return err
}

// client loads the app client a public request names and checks its
// SECRET_HASH for the username as sent.
func (s *Service) client(ctx context.Context, clientID, username, hash string) (*appclient.Client, error) {
	c, err := appclient.Load(ctx, s.Pools, s.Store, clientID)
	if err != nil {
		return nil, err
	}
	if err := c.CheckSecretHash(s.Keys, username, hash); err != nil {
		return nil, err
	}
	return c, nil
}

// findUser resolves the username of a public request; found is false for
// a user that does not exist.
func (s *Service) findUser(ctx context.Context, p *userpool.Pool, name string) (u *store.User, found bool, err error) {
	u, err = p.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}

func attrMap(list []model.AttributeType) map[string]string {
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[a.Name] = a.Value
	}
	return m
}

// checkWritable refuses attributes the app client may not write. The
// verification flags are writable only when the client's WriteAttributes
// name them, so that a user cannot verify their own email address by
// signing up; developer-only attributes never are (see CanWrite).
func checkWritable(c *appclient.Client, attrs []model.AttributeType) error {
	for _, a := range attrs {
		explicit := slices.Contains(c.Settings.WriteAttributes, a.Name)
		guarded := a.Name == "email_verified" || a.Name == "phone_number_verified"
		if (guarded && !explicit) || !c.CanWrite(a.Name) {
			return &model.NotAuthorizedException{Message: unauthorizedAttributeMsg}
		}
	}
	return nil
}

// signUpDelivery picks where a sign-up confirmation code goes: to a phone
// number or email address the pool verifies automatically, the phone
// first, as Cognito prefers SMS.
func signUpDelivery(p *userpool.Pool, attrs map[string]string) (authn.Delivery, bool) {
	auto := p.Settings.AutoVerifiedAttributes
	for _, attr := range []string{"phone_number", "email"} {
		if slices.Contains(auto, attr) && attrs[attr] != "" {
			return authn.Delivery{Attribute: attr, Destination: attrs[attr]}, true
		}
	}
	return authn.Delivery{}, false
}

// SignUp registers a user through an app client: UNCONFIRMED with their
// password, unless the pre sign-up trigger confirms them, and a
// confirmation code on its way when the pool verifies their phone number
// or email address.
func (s *Service) SignUp(ctx context.Context, in *model.SignUpRequest) (*model.SignUpResponse, error) {
	c, err := s.client(ctx, in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	if ac := p.Settings.AdminCreateUserConfig; ac != nil && ac.AllowAdminCreateUserOnly != nil && *ac.AllowAdminCreateUserOnly {
		return nil, &model.NotAuthorizedException{Message: "SignUp is not permitted for this user pool"}
	}
	if err := checkWritable(c, in.UserAttributes); err != nil {
		return nil, err
	}
	if err := p.CheckAttributeValues(in.UserAttributes, false); err != nil {
		return nil, err
	}
	if err := password.Check(p.Settings.Policies.PasswordPolicy, in.Password); err != nil {
		return nil, publicPassword(err)
	}
	now := s.Now()
	u, err := p.NewUser(userpool.NewUser{
		Username: in.Username, Attributes: attrMap(in.UserAttributes), Status: model.UserStatusTypeUnconfirmed, Password: in.Password,
	}, s.Minter(now))
	if err != nil {
		return nil, err
	}
	attrs := u.Attributes
	ev := &triggers.Event{
		PoolID: p.ID, ClientID: c.ID(), Username: u.Username, Attributes: maps.Clone(attrs),
		ClientMetadata: in.ClientMetadata, ValidationData: attrMap(in.ValidationData), Source: sourcePreSignUp,
		Config: p.Settings.LambdaConfig,
	}
	decision, err := s.Auth.Triggers().PreSignUp(ctx, ev)
	if err != nil {
		return nil, err
	}
	status := u.Status
	if decision.AutoConfirmUser {
		status = model.UserStatusTypeConfirmed
	}
	if decision.AutoVerifyEmail && attrs["email"] != "" {
		attrs["email_verified"] = "true"
	}
	if decision.AutoVerifyPhone && attrs["phone_number"] != "" {
		attrs["phone_number_verified"] = "true"
	}
	u.Status, u.Aliases = status, p.Aliases(attrs)
	d, send := signUpDelivery(p, attrs)
	send = send && status == model.UserStatusTypeUnconfirmed
	if send {
		if err := authn.WriteState(u, &authn.State{Sent: map[string]authn.Delivery{authn.PurposeSignUp: d}}); err != nil {
			return nil, err
		}
	}
	var details *model.CodeDeliveryDetailsType
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		if err := createUser(ctx, tx, p, u); err != nil {
			return err
		}
		if send {
			details, out, err = s.Auth.SendCode(ctx, tx, p, u, authn.PurposeSignUp, d, sourceMessageSignUp, in.ClientMetadata)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out.Via(c.ID())); err != nil {
		return nil, err
	}
	if status == model.UserStatusTypeConfirmed {
		if err := s.postConfirmation(ctx, p, c.ID(), u, sourceConfirmSignUp, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	s.Auth.RecordPass(ctx, p, u, model.EventTypeSignup, in.UserContextData)
	confirmed := status == model.UserStatusTypeConfirmed
	return &model.SignUpResponse{UserConfirmed: &confirmed, UserSub: u.Sub, CodeDeliveryDetails: details}, nil
}

// createUser stores a signed-up user and words the conflicts as Cognito
// does: a taken username, or (in a pool that signs in with email or phone)
// a taken email address or phone number, is UsernameExistsException; a
// verified alias another user holds is AliasExistsException.
func createUser(ctx context.Context, tx store.Store, p *userpool.Pool, u *store.User) error {
	err := tx.CreateUser(ctx, u)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrConflict):
		return &model.UsernameExistsException{Message: "User already exists"}
	case errors.Is(err, store.ErrAliasConflict):
		_, attr, lerr := p.AliasHolder(ctx, tx, u)
		if lerr != nil {
			return lerr
		}
		if attr == "" {
			attr = "email"
		}
		msg := fmt.Sprintf("An account with the given %s already exists.", attr)
		if slices.Contains(p.UsernameAttributes(), attr) {
			return &model.UsernameExistsException{Message: msg}
		}
		return &model.AliasExistsException{Message: msg}
	case errors.Is(err, store.ErrNotFound):
		return userpool.NotFound(p.ID)
	}
	return fmt.Errorf("create user: %w", err)
}

// postConfirmation runs the post confirmation trigger for a user just
// confirmed.
func (s *Service) postConfirmation(ctx context.Context, p *userpool.Pool, clientID string, u *store.User, source string, metadata map[string]string) error {
	ev := &triggers.Event{PoolID: p.ID, ClientID: clientID, Username: u.Username, Attributes: maps.Clone(u.Attributes), ClientMetadata: metadata, Source: source,
		Config: p.Settings.LambdaConfig, Status: u.Status}
	return s.Auth.Triggers().PostConfirmation(ctx, ev)
}

// ConfirmSignUp confirms a user with the code their sign-up sent: the
// user becomes CONFIRMED and the email address or phone number the code
// reached becomes verified. When that makes it an alias another user
// holds, the request fails with AliasExistsException unless
// ForceAliasCreation moves the alias to this user.
func (s *Service) ConfirmSignUp(ctx context.Context, in *model.ConfirmSignUpRequest) (*model.ConfirmSignUpResponse, error) {
	c, err := s.client(ctx, in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	u, found, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.PreventsUserExistenceErrors() {
			return nil, errCodeMismatch()
		}
		return nil, errClientUserNotFound()
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	if u.Status != model.UserStatusTypeUnconfirmed {
		return nil, errCannotConfirm(u.Status)
	}
	state, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	sent := state.Sent[authn.PurposeSignUp]
	confirm := func(u *store.User) {
		if sent.Attribute != "" && u.Attributes[sent.Attribute] == sent.Destination {
			u.Attributes[sent.Attribute+"_verified"] = "true"
		}
		u.Status = model.UserStatusTypeConfirmed
		u.Aliases = p.Aliases(u.Attributes)
	}
	// Refuse a taken alias before the code is used up, so that the user
	// can retry with ForceAliasCreation.
	next := *u
	next.Attributes = maps.Clone(u.Attributes)
	confirm(&next)
	force := in.ForceAliasCreation != nil && *in.ForceAliasCreation
	if !force {
		holder, attr, err := p.AliasHolder(ctx, s.Store, &next)
		if err != nil {
			return nil, err
		}
		if holder != nil {
			return nil, errAliasExists(attr)
		}
	}
	if err := s.Auth.CheckCode(ctx, u, authn.PurposeSignUp, in.ConfirmationCode); err != nil {
		return nil, err
	}
	now := s.Now()
	var out *store.User
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		if force {
			if err := p.TakeAliases(ctx, tx, &next, now); err != nil {
				return err
			}
		}
		var err error
		out, err = s.Auth.EditState(ctx, tx, u, func(u *store.User, st *authn.State) error {
			if u.Status != model.UserStatusTypeUnconfirmed {
				return errCannotConfirm(u.Status)
			}
			confirm(u)
			delete(st.Sent, authn.PurposeSignUp)
			u.UpdatedAt = now
			return nil
		})
		if errors.Is(err, store.ErrAliasConflict) {
			return errAliasExists(sent.Attribute)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.postConfirmation(ctx, p, c.ID(), out, sourceConfirmSignUp, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmSignUpResponse{}, nil
}

func errAliasExists(attr string) error {
	if attr == "" {
		attr = "email"
	}
	return &model.AliasExistsException{Message: fmt.Sprintf("An account with the %s already exists.", attr)}
}

// ResendConfirmationCode sends an unconfirmed user a new sign-up code,
// replacing the previous one.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *model.ResendConfirmationCodeRequest) (*model.ResendConfirmationCodeResponse, error) {
	c, err := s.client(ctx, in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	u, found, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, err
	}
	if !found {
		if c.PreventsUserExistenceErrors() {
			return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: simulated(p, in.Username, signUpPrefersPhone(p))}, nil
		}
		return nil, errClientUserNotFound()
	}
	d, ok := signUpDelivery(p, u.Attributes)
	if !u.Enabled {
		if !c.PreventsUserExistenceErrors() {
			return nil, authn.ErrUserDisabled()
		}
		// Answer as if the code went out, without sending it.
		if ok {
			return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: d.Details()}, nil
		}
		return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: simulated(p, in.Username, signUpPrefersPhone(p))}, nil
	}
	if u.Status != model.UserStatusTypeUnconfirmed {
		return nil, &model.InvalidParameterException{Message: "User is already confirmed."}
	}
	if !ok {
		return nil, &model.InvalidParameterException{Message: "Cannot resend codes. Auto verification not turned on."}
	}
	var details *model.CodeDeliveryDetailsType
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		fresh, err := s.Auth.EditState(ctx, tx, u, func(_ *store.User, st *authn.State) error {
			if st.Sent == nil {
				st.Sent = map[string]authn.Delivery{}
			}
			st.Sent[authn.PurposeSignUp] = d
			return nil
		})
		if err != nil {
			return err
		}
		details, out, err = s.Auth.SendCode(ctx, tx, p, fresh, authn.PurposeSignUp, d, sourceMessageResend, in.ClientMetadata)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out.Via(c.ID())); err != nil {
		return nil, err
	}
	s.Auth.RecordPass(ctx, p, u, model.EventTypeResendcode, in.UserContextData)
	return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: details}, nil
}

// AdminConfirmSignUp confirms an unconfirmed user without a code. It
// verifies no attribute.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *model.AdminConfirmSignUpRequest) (*model.AdminConfirmSignUpResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u, err := p.FindUser(ctx, s.Store, in.Username)
	if err != nil {
		return nil, err
	}
	if u.Status != model.UserStatusTypeUnconfirmed {
		return nil, errCannotConfirm(u.Status)
	}
	now := s.Now()
	out, err := s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		if u.Status != model.UserStatusTypeUnconfirmed {
			return errCannotConfirm(u.Status)
		}
		u.Status = model.UserStatusTypeConfirmed
		u.UpdatedAt = now
		delete(st.Sent, authn.PurposeSignUp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteCode(ctx, p.ID, u.Sub, authn.PurposeSignUp); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("drop sign-up code: %w", err)
	}
	if err := s.postConfirmation(ctx, p, "", out, sourceConfirmSignUp, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.AdminConfirmSignUpResponse{}, nil
}
