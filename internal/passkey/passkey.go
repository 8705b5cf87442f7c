// Package passkey holds Cognate's passkeys (WebAuthn credentials): the
// relying party a pool's passkeys belong to, the registration ceremony
// (StartWebAuthnRegistration, CompleteWebAuthnRegistration) and the
// assertion that the WEB_AUTHN sign-in challenge asks for. The WebAuthn
// verification itself is github.com/go-webauthn/webauthn's; this package
// decides the relying party and the origins, keeps the challenges in the
// store (single use, bound to the user and the app client) and maps
// failures to Cognito's errors.
package passkey

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxPerUser is how many passkeys a user may register, as Cognito allows.
const MaxPerUser = 20

// Timeout is how long a registration or sign-in ceremony may take: the
// timeout the options carry, and the life of a registration challenge.
const Timeout = 5 * time.Minute

// purposeRegistration is the store.Code purpose of a pending registration
// challenge: one per user, replaced by a new StartWebAuthnRegistration.
const purposeRegistration = "webauthn-registration"

// Service runs the passkey ceremonies.
type Service struct {
	Store store.Store
	Keys  *seal.Keyring
	Now   func() time.Time
	// PrefixBase returns the public base URL of a prefix domain, whose
	// host is the relying party of a pool whose only domain it is.
	PrefixBase func(prefix string) string
}

// RP is a pool's passkey relying party and its settings.
type RP struct {
	// ID is the relying party ID, a domain name.
	ID string
	// Name is the relying party's display name: the pool's name.
	Name string
	// UserVerification is required or preferred.
	UserVerification protocol.UserVerificationRequirement
	// MultiFactor is set when a passkey signed in with user verification
	// counts as two factors (FactorConfiguration
	// MULTI_FACTOR_WITH_USER_VERIFICATION).
	MultiFactor bool
}

// Enabled reports whether a pool lets users sign in with passkeys: WEB_AUTHN
// among its AllowedFirstAuthFactors, in the Essentials or Plus plan.
func Enabled(p *userpool.Pool) bool {
	s := &p.Settings
	if userpool.RequireTier(userpool.Tier(s), model.UserPoolTierTypeEssentials, "Passkeys") != nil {
		return false
	}
	return s.Policies != nil && s.Policies.SignInPolicy != nil &&
		slices.Contains(s.Policies.SignInPolicy.AllowedFirstAuthFactors, model.AuthFactorTypeWebAuthn)
}

// ErrNotEnabled is Cognito's error for a passkey operation in a pool that
// does not allow passkeys.
func ErrNotEnabled() error {
	return &model.WebAuthnNotEnabledException{Message: "Passkey sign-in is not enabled for this user pool: add WEB_AUTHN to the AllowedFirstAuthFactors of its SignInPolicy."}
}

// RelyingParty returns a pool's relying party: its custom domain when it
// has one (Cognito requires the custom domain's name as the relying party
// of a pool whose users sign in on its managed login pages), else the
// RelyingPartyId of its WebAuthnConfiguration, else the host of its prefix
// domain. A pool with none of them answers
// WebAuthnConfigurationMissingException.
func (s *Service) RelyingParty(ctx context.Context, p *userpool.Pool) (*RP, error) {
	m, err := userpool.LoadMFA(ctx, s.Store, p)
	if err != nil {
		return nil, err
	}
	rp := &RP{Name: p.Name, UserVerification: protocol.VerificationPreferred}
	if w := m.WebAuthn; w != nil {
		rp.ID = w.RelyingPartyId
		if w.UserVerification == model.UserVerificationTypeRequired {
			rp.UserVerification = protocol.VerificationRequired
		}
		rp.MultiFactor = w.FactorConfiguration == model.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification
	}
	domains, err := s.Store.ListPoolDomains(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("list pool domains: %w", err)
	}
	for _, d := range domains {
		if d.Custom {
			rp.ID = d.Name
		}
	}
	if rp.ID == "" {
		for _, d := range domains {
			if !d.Custom && s.PrefixBase != nil {
				if u, err := url.Parse(s.PrefixBase(d.Name)); err == nil {
					rp.ID = u.Hostname()
				}
			}
		}
	}
	if rp.ID == "" {
		return nil, &model.WebAuthnConfigurationMissingException{Message: "The user pool has no passkey relying party: set WebAuthnConfiguration RelyingPartyId with SetUserPoolMfaConfig, or give the pool a domain."}
	}
	return rp, nil
}

// OriginAllowed reports whether a ceremony run at origin may use relying
// party rpID: an https origin whose host is rpID or one of its subdomains,
// or an http one when that host is localhost or under .localhost, as
// browsers allow. Any port is allowed.
func OriginAllowed(origin, rpID string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	rpID = strings.ToLower(rpID)
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return host == "localhost" || strings.HasSuffix(host, ".localhost")
	}
	return false
}

// config returns the go-webauthn configuration of one ceremony at rp,
// accepting origin (which the caller has checked with OriginAllowed).
func config(rp *RP, origin string) (*webauthn.WebAuthn, error) {
	if origin == "" {
		origin = "https://" + rp.ID
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: rp.ID, RPDisplayName: rp.Name, RPOrigins: []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webauthn relying party %s: %w", rp.ID, err)
	}
	return w, nil
}

// Record is what Cognate keeps of a passkey besides its ID and counter
// (store.WebAuthnCredential's Data).
type Record struct {
	Credential webauthn.Credential `json:"credential"`
	// RPID is the relying party the passkey was registered with.
	RPID string `json:"rpId"`
	// Name is the passkey's FriendlyCredentialName.
	Name string `json:"name"`
	// Attachment is the authenticatorAttachment the client reported.
	Attachment string `json:"attachment,omitzero"`
}

// EncodeID is the text form of a credential ID: base64url, no padding.
func EncodeID(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// Describe returns a stored passkey as ListWebAuthnCredentials lists it.
func Describe(c *store.WebAuthnCredential) (model.WebAuthnCredentialDescription, error) {
	var r Record
	if err := json.Unmarshal(c.Data, &r); err != nil {
		return model.WebAuthnCredentialDescription{}, fmt.Errorf("decode passkey %s: %w", c.ID, err)
	}
	transports := []string{}
	for _, t := range r.Credential.Transport {
		transports = append(transports, string(t))
	}
	return model.WebAuthnCredentialDescription{
		CredentialId: c.ID, FriendlyCredentialName: r.Name, RelyingPartyId: r.RPID,
		AuthenticatorAttachment: r.Attachment, AuthenticatorTransports: transports, CreatedAt: model.NewTime(c.CreatedAt),
	}, nil
}

// user is a Cognate user as go-webauthn sees one: the user handle is the
// sub.
type user struct {
	u     *store.User
	creds []webauthn.Credential
}

func (w *user) WebAuthnID() []byte                         { return []byte(w.u.Sub) }
func (w *user) WebAuthnName() string                       { return w.u.Username }
func (w *user) WebAuthnDisplayName() string                { return displayName(w.u) }
func (w *user) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// displayName is the name an authenticator shows for the user: the email
// address or phone number they sign in with when they have one.
func displayName(u *store.User) string {
	for _, a := range []string{"email", "phone_number", "preferred_username"} {
		if v := u.Attributes[a]; v != "" {
			return v
		}
	}
	return u.Username
}

// credentials returns all of a user's passkeys, decoded.
func (s *Service) credentials(ctx context.Context, u *store.User) ([]store.WebAuthnCredential, []Record, error) {
	list, _, err := s.Store.ListWebAuthnCredentials(ctx, u.PoolID, u.Sub, store.Page{Limit: MaxPerUser})
	if err != nil {
		return nil, nil, fmt.Errorf("list passkeys: %w", err)
	}
	recs := make([]Record, len(list))
	for i := range list {
		if err := json.Unmarshal(list[i].Data, &recs[i]); err != nil {
			return nil, nil, fmt.Errorf("decode passkey %s: %w", list[i].ID, err)
		}
	}
	return list, recs, nil
}

// descriptors returns the credential descriptors of passkeys.
func descriptors(recs []Record) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(recs))
	for i := range recs {
		out = append(out, recs[i].Credential.Descriptor())
	}
	return out
}

// pending is a registration challenge waiting for
// CompleteWebAuthnRegistration, sealed in the store.
type pending struct {
	Session  webauthn.SessionData `json:"session"`
	ClientID string               `json:"clientId"`
	RP       RP                   `json:"rp"`
}

func pendingAAD(poolID, sub string) []byte {
	return []byte("webauthn registration|" + poolID + "|" + sub)
}

// BeginRegistration returns the PublicKeyCredentialCreationOptions (in
// their JSON form) for a new passkey of user u, signed in at app client
// clientID, and stores the challenge for CompleteRegistration, replacing
// any earlier one of the user.
func (s *Service) BeginRegistration(ctx context.Context, p *userpool.Pool, u *store.User, clientID string) (json.RawMessage, error) {
	if !Enabled(p) {
		return nil, ErrNotEnabled()
	}
	rp, err := s.RelyingParty(ctx, p)
	if err != nil {
		return nil, err
	}
	_, recs, err := s.credentials(ctx, u)
	if err != nil {
		return nil, err
	}
	w, err := config(rp, "")
	if err != nil {
		return nil, err
	}
	creation, sd, err := w.BeginRegistration(&user{u: u},
		webauthn.WithExclusions(descriptors(recs)),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: rp.UserVerification,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	plain, err := json.Marshal(pending{Session: *sd, ClientID: clientID, RP: *rp})
	if err != nil {
		return nil, fmt.Errorf("encode registration challenge: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, pendingAAD(u.PoolID, u.Sub))
	if err != nil {
		return nil, fmt.Errorf("seal registration challenge: %w", err)
	}
	now := s.Now()
	c := &store.Code{PoolID: u.PoolID, Sub: u.Sub, Purpose: purposeRegistration, Sealed: sealed, CreatedAt: now, ExpiresAt: now.Add(Timeout)}
	if err := s.Store.PutCode(ctx, c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, userpool.ErrUserNotFound()
		}
		return nil, fmt.Errorf("store registration challenge: %w", err)
	}
	out, err := json.Marshal(creation.Response)
	if err != nil {
		return nil, fmt.Errorf("encode credential creation options: %w", err)
	}
	return out, nil
}

func errChallengeNotFound() error {
	return &model.WebAuthnChallengeNotFoundException{Message: "No passkey registration is pending for this user, or it has expired: call StartWebAuthnRegistration first."}
}

// takePending spends the user's registration challenge: of two requests
// racing to complete one registration, one gets it.
func (s *Service) takePending(ctx context.Context, u *store.User) (*pending, error) {
	c, err := s.Store.TakeCode(ctx, u.PoolID, u.Sub, purposeRegistration)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errChallengeNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("spend registration challenge: %w", err)
	}
	if !s.Now().Before(c.ExpiresAt) {
		return nil, errChallengeNotFound()
	}
	plain, err := s.Keys.Open(c.Sealed, pendingAAD(u.PoolID, u.Sub))
	if err != nil {
		return nil, fmt.Errorf("open registration challenge: %w", err)
	}
	var pd pending
	if err := json.Unmarshal(plain, &pd); err != nil {
		return nil, fmt.Errorf("decode registration challenge: %w", err)
	}
	return &pd, nil
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// detail is the description a go-webauthn error gives.
func detail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return err.Error()
}

// CompleteRegistration verifies a RegistrationResponseJSON against the
// user's pending challenge (spent whatever the outcome) and stores the
// passkey.
func (s *Service) CompleteRegistration(ctx context.Context, p *userpool.Pool, u *store.User, clientID string, raw json.RawMessage) error {
	if !Enabled(p) {
		return ErrNotEnabled()
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(raw)
	if err != nil {
		return invalid("Credential is not a valid RegistrationResponseJSON: %s", detail(err))
	}
	pd, err := s.takePending(ctx, u)
	if err != nil {
		return err
	}
	if pd.ClientID != clientID {
		return &model.WebAuthnClientMismatchException{Message: "The access token is for another app client than the one that started the passkey registration."}
	}
	if parsed.Response.CollectedClientData.Challenge != pd.Session.Challenge {
		return errChallengeNotFound()
	}
	rp := &pd.RP
	origin := parsed.Response.CollectedClientData.Origin
	if !OriginAllowed(origin, rp.ID) {
		return &model.WebAuthnOriginNotAllowedException{Message: fmt.Sprintf("The passkey was registered at origin %s, which is not allowed for the relying party %s.", origin, rp.ID)}
	}
	if h := sha256.Sum256([]byte(rp.ID)); !bytes.Equal(parsed.Response.AttestationObject.AuthData.RPIDHash, h[:]) {
		return &model.WebAuthnRelyingPartyMismatchException{Message: fmt.Sprintf("The passkey was made for another relying party than the user pool's, %s.", rp.ID)}
	}
	if rp.UserVerification == protocol.VerificationRequired && !parsed.Response.AttestationObject.AuthData.Flags.HasUserVerified() {
		return &model.WebAuthnCredentialNotSupportedException{Message: "The user pool requires user verification, which the authenticator did not perform."}
	}
	w, err := config(rp, origin)
	if err != nil {
		return err
	}
	cred, err := w.CreateCredential(&user{u: u}, pd.Session, parsed)
	if err != nil {
		return &model.WebAuthnCredentialNotSupportedException{Message: "The passkey could not be verified: " + detail(err)}
	}
	now := s.Now()
	rec := Record{Credential: *cred, RPID: rp.ID, Attachment: string(parsed.AuthenticatorAttachment),
		Name: "Passkey registered " + now.UTC().Format("2006-01-02 15:04 UTC")}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode passkey: %w", err)
	}
	err = s.Store.AddWebAuthnCredential(ctx, &store.WebAuthnCredential{
		PoolID: u.PoolID, Sub: u.Sub, ID: EncodeID(cred.ID), SignCount: int64(cred.Authenticator.SignCount), CreatedAt: now, Data: data,
	}, MaxPerUser)
	switch {
	case errors.Is(err, store.ErrLimit):
		return &model.LimitExceededException{Message: fmt.Sprintf("A user can register at most %d passkeys.", MaxPerUser)}
	case errors.Is(err, store.ErrConflict):
		return invalid("This passkey is already registered.")
	case errors.Is(err, store.ErrNotFound):
		return userpool.ErrUserNotFound()
	case err != nil:
		return fmt.Errorf("store passkey: %w", err)
	}
	return nil
}

// Assertion is a pending WEB_AUTHN sign-in challenge, kept in the sign-in
// session.
type Assertion struct {
	Session webauthn.SessionData `json:"session"`
	RP      RP                   `json:"rp"`
}

// BeginLogin returns the PublicKeyCredentialRequestOptions (in their JSON
// form) of a WEB_AUTHN challenge for user u, with its state for
// FinishLogin. uvRequired asks for user verification whatever the pool
// prefers (a passkey that stands for two factors). A user without
// passkeys gets nil.
func (s *Service) BeginLogin(ctx context.Context, p *userpool.Pool, u *store.User, uvRequired bool) (json.RawMessage, *Assertion, error) {
	rp, err := s.RelyingParty(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	_, recs, err := s.credentials(ctx, u)
	if err != nil || len(recs) == 0 {
		return nil, nil, err
	}
	if uvRequired {
		rp.UserVerification = protocol.VerificationRequired
	}
	w, err := config(rp, "")
	if err != nil {
		return nil, nil, err
	}
	wu := &user{u: u}
	for _, r := range recs {
		wu.creds = append(wu.creds, r.Credential)
	}
	assertion, sd, err := w.BeginLogin(wu, webauthn.WithUserVerification(rp.UserVerification))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	out, err := json.Marshal(assertion.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("encode credential request options: %w", err)
	}
	return out, &Assertion{Session: *sd, RP: *rp}, nil
}

// ErrPasskeyRefused is the error of a WEB_AUTHN answer that does not
// prove the user's passkey.
func ErrPasskeyRefused(why string) error {
	return &model.NotAuthorizedException{Message: "Incorrect passkey: " + why}
}

// FinishLogin verifies the AuthenticationResponseJSON of a WEB_AUTHN
// answer against a from BeginLogin and advances the passkey's counter in
// the store, atomically: an assertion whose counter does not move past the
// stored one is refused. It reports whether the authenticator verified the
// user.
func (s *Service) FinishLogin(ctx context.Context, u *store.User, a *Assertion, raw string) (bool, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(raw))
	if err != nil {
		return false, invalid("CREDENTIAL is not a valid AuthenticationResponseJSON: %s", detail(err))
	}
	origin := parsed.Response.CollectedClientData.Origin
	if !OriginAllowed(origin, a.RP.ID) {
		return false, ErrPasskeyRefused(fmt.Sprintf("origin %s is not allowed for the relying party %s", origin, a.RP.ID))
	}
	id := EncodeID(parsed.RawID)
	c, err := s.Store.GetWebAuthnCredential(ctx, u.PoolID, u.Sub, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, ErrPasskeyRefused("the credential is not one of the user's passkeys")
	}
	if err != nil {
		return false, fmt.Errorf("get passkey: %w", err)
	}
	var rec Record
	if err := json.Unmarshal(c.Data, &rec); err != nil {
		return false, fmt.Errorf("decode passkey %s: %w", c.ID, err)
	}
	rec.Credential.Authenticator.SignCount = uint32(c.SignCount)
	w, err := config(&a.RP, origin)
	if err != nil {
		return false, err
	}
	sd := a.Session
	if !slices.ContainsFunc(sd.AllowedCredentialIDs, func(b []byte) bool { return bytes.Equal(b, rec.Credential.ID) }) {
		return false, ErrPasskeyRefused("the credential is not one the challenge allowed")
	}
	// The user is given only the credential used, so only it is allowed.
	sd.AllowedCredentialIDs = [][]byte{rec.Credential.ID}
	if _, err := w.ValidateLogin(&user{u: u, creds: []webauthn.Credential{rec.Credential}}, sd, parsed); err != nil {
		return false, ErrPasskeyRefused(detail(err))
	}
	err = s.Store.UseWebAuthnCredential(ctx, u.PoolID, u.Sub, id, int64(parsed.Response.AuthenticatorData.Counter), s.Now())
	switch {
	case errors.Is(err, store.ErrConflict):
		return false, ErrPasskeyRefused("the authenticator's signature counter did not advance")
	case errors.Is(err, store.ErrNotFound):
		return false, ErrPasskeyRefused("the passkey was deleted")
	case err != nil:
		return false, fmt.Errorf("record passkey use: %w", err)
	}
	return parsed.Response.AuthenticatorData.Flags.HasUserVerified(), nil
}
