package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/signin"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// The managed login pages ask for the second factor as Cognito's do, through
// the API's own challenge steps (signin.HostedRespond and the software token
// operations), so that codes, sessions and the lockout are checked once and
// in one way:
//
//   - a code form (mfa.html) answers SMS_MFA, EMAIL_OTP and
//     SOFTWARE_TOKEN_MFA, showing where an SMS or email code went;
//   - a choice (selectmfa.html) answers SELECT_MFA_TYPE;
//   - MFA_SETUP offers the factors the pages can set up (mfasetup.html): an
//     authenticator app, whose secret and otpauth:// URI the set-up page
//     (totpsetup.html) shows before it verifies a first code, and email
//     codes to the user's address. A factor that needs an address the user
//     has not given (SMS without a phone number) is not offered.
//
// Every form carries the challenge's session and the user's sign-in name;
// the session is sealed server-side and bound to its user and client.

// mfaOption is a factor a user may choose or set up.
type mfaOption struct {
	Value, Label string
}

// codeParams are the challenge response that carries a challenge's code.
var codeParams = map[string]string{
	model.ChallengeNameTypeSmsMfa:           "SMS_MFA_CODE",
	model.ChallengeNameTypeEmailOtp:         "EMAIL_OTP_CODE",
	model.ChallengeNameTypeSoftwareTokenMfa: "SOFTWARE_TOKEN_MFA_CODE",
	model.ChallengeNameTypeSmsOtp:           "SMS_OTP_CODE",
}

// factorLabels are the message keys of the factors' names.
var factorLabels = map[string]string{
	userpool.FactorSMS:           "mfa.optionSMS",
	userpool.FactorEmail:         "mfa.optionEmail",
	userpool.FactorSoftwareToken: "mfa.optionTOTP",
}

// showChallenge shows the form of a second factor challenge.
func (s *Service) showChallenge(w http.ResponseWriter, r *http.Request, a *authRequest, p *page, o *signin.HostedOutcome) {
	p.Session, p.Challenge, p.Error = o.Session, o.Challenge, ""
	switch o.Challenge {
	case model.ChallengeNameTypeSmsMfa, model.ChallengeNameTypeEmailOtp, model.ChallengeNameTypeSoftwareTokenMfa, model.ChallengeNameTypeSmsOtp:
		p.Destination = o.Params["CODE_DELIVERY_DESTINATION"]
		s.render(w, r, http.StatusOK, "mfa", p)
	case model.ChallengeNameTypeWebAuthn:
		s.showPasskey(w, r, p, o.Params["CREDENTIAL_REQUEST_OPTIONS"])
	case model.ChallengeNameTypeSelectChallenge:
		// The user cannot sign in with the factor they chose (or does
		// not exist, in a client that prevents user existence errors).
		p.Session, p.Error = "", p.T("login.factorUnavailable")
		s.render(w, r, http.StatusOK, "login", p)
	case model.ChallengeNameTypeSelectMfaType:
		for _, f := range factorList(o.Params["MFAS_CAN_CHOOSE"]) {
			if key, ok := factorLabels[f]; ok {
				p.MFAOptions = append(p.MFAOptions, mfaOption{Value: f, Label: p.T(key)})
			}
		}
		s.render(w, r, http.StatusOK, "selectmfa", p)
	case model.ChallengeNameTypeMfaSetup:
		s.showSetup(w, r, a, p, factorList(o.Params["MFAS_CAN_SETUP"]))
	default:
		s.internalError(w, r, true, errors.New("hosted sign-in ended with challenge "+o.Challenge))
	}
}

// factorList decodes the JSON list of factors of MFAS_CAN_CHOOSE or
// MFAS_CAN_SETUP.
func factorList(raw string) []string {
	var out []string
	json.Unmarshal([]byte(raw), &out)
	return out
}

// showSetup offers the factors of an MFA_SETUP challenge the pages can set
// up; with only an authenticator app to offer, it starts that set-up.
func (s *Service) showSetup(w http.ResponseWriter, r *http.Request, a *authRequest, p *page, factors []string) {
	email, err := s.userEmail(r, a, p.Username)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	if slices.Contains(factors, userpool.FactorSoftwareToken) {
		p.MFAOptions = append(p.MFAOptions, mfaOption{Value: userpool.FactorSoftwareToken, Label: p.T("mfasetup.totp")})
	}
	if slices.Contains(factors, userpool.FactorEmail) && email != "" {
		p.MFAOptions = append(p.MFAOptions, mfaOption{Value: userpool.FactorEmail, Label: p.TF("mfasetup.email", authn.MaskDestination(email))})
	}
	switch len(p.MFAOptions) {
	case 0:
		p.Session, p.Error = "", p.T("mfasetup.none")
		s.render(w, r, http.StatusOK, "login", p)
	case 1:
		if p.MFAOptions[0].Value == userpool.FactorSoftwareToken {
			s.startTOTPSetup(w, r, a, p)
			return
		}
		fallthrough
	default:
		s.render(w, r, http.StatusOK, "mfasetup", p)
	}
}

// userEmail returns the email address of the user a sign-in goes by.
func (s *Service) userEmail(r *http.Request, a *authRequest, name string) (string, error) {
	u, err := a.client.Pool.FindUser(r.Context(), s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return u.Attributes["email"], nil
}

// challengeForm reads the session and sign-in name every challenge form
// carries.
func challengeForm(r *http.Request, p *page) {
	p.Session, p.Username = r.PostForm.Get("session"), r.PostForm.Get("username")
}

// challengeFailed shows a failed challenge answer: on the same form when
// the answer was wrong and the challenge stands (a wrong code), else on
// the sign-in form, where the user starts again.
func (s *Service) challengeFailed(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	var mismatch *model.CodeMismatchException
	var enable *model.EnableSoftwareTokenMFAException
	var bad *model.InvalidParameterException
	if errors.As(err, &mismatch) || errors.As(err, &enable) || errors.As(err, &bad) && name != "login" {
		s.fail(w, r, name, p, err)
		return
	}
	p.Session = ""
	s.fail(w, r, "login", p, err)
}

// mfaCode serves POST /mfa, the code of SMS_MFA, EMAIL_OTP or
// SOFTWARE_TOKEN_MFA.
func (s *Service) mfaCode(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	challengeForm(r, p)
	p.Challenge, p.Destination = r.PostForm.Get("challenge"), r.PostForm.Get("destination")
	p.SignInCode = r.PostForm.Get("first") != ""
	param, ok := codeParams[p.Challenge]
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	s.respond(w, r, st, a, p, "mfa", p.Challenge, p.Session, map[string]string{param: code})
}

// selectMFA serves POST /selectMfa, the answer to SELECT_MFA_TYPE.
func (s *Service) selectMFA(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	challengeForm(r, p)
	s.respond(w, r, st, a, p, "login", model.ChallengeNameTypeSelectMfaType, p.Session, map[string]string{"ANSWER": r.PostForm.Get("answer")})
}

// mfaSetup serves POST /mfaSetup, the factor the user chose to set up.
func (s *Service) mfaSetup(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	challengeForm(r, p)
	switch r.PostForm.Get("factor") {
	case userpool.FactorSoftwareToken:
		s.startTOTPSetup(w, r, a, p)
	case userpool.FactorEmail:
		email, err := s.userEmail(r, a, p.Username)
		if err != nil {
			s.internalError(w, r, true, err)
			return
		}
		s.respond(w, r, st, a, p, "login", model.ChallengeNameTypeMfaSetup, p.Session, map[string]string{"EMAIL": email})
	default:
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
	}
}

// startTOTPSetup draws the software token of an MFA_SETUP session
// (AssociateSoftwareToken) and shows its secret.
func (s *Service) startTOTPSetup(w http.ResponseWriter, r *http.Request, a *authRequest, p *page) {
	in := &model.AssociateSoftwareTokenRequest{Session: p.Session}
	if err := in.Validate(); err != nil {
		s.challengeFailed(w, r, "login", p, err)
		return
	}
	out, err := s.MFA.AssociateSoftwareToken(r.Context(), in)
	if err != nil {
		s.challengeFailed(w, r, "login", p, err)
		return
	}
	p.Session, p.Secret = out.Session, out.SecretCode
	p.OTPAuth = otpauthURI(a.client.Pool.Name, p.Username, p.Secret)
	p.MFAOptions = nil
	s.render(w, r, http.StatusOK, "totpsetup", p)
}

// totpSetup serves POST /totpSetup: the first code of the new software
// token (VerifySoftwareToken), then the MFA_SETUP answer that signs in.
func (s *Service) totpSetup(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	challengeForm(r, p)
	p.Secret = r.PostForm.Get("secret")
	p.OTPAuth = otpauthURI(a.client.Pool.Name, p.Username, p.Secret)
	in := &model.VerifySoftwareTokenRequest{Session: p.Session, UserCode: strings.TrimSpace(r.PostForm.Get("code")), FriendlyDeviceName: r.PostForm.Get("device_name")}
	if err := in.Validate(); err != nil {
		s.challengeFailed(w, r, "totpsetup", p, err)
		return
	}
	out, err := s.MFA.VerifySoftwareToken(r.Context(), in)
	if err != nil {
		s.challengeFailed(w, r, "totpsetup", p, err)
		return
	}
	s.respond(w, r, st, a, p, "login", model.ChallengeNameTypeMfaSetup, out.Session, nil)
}

// respond answers a sign-in challenge through the API's own code and shows
// what follows: the next challenge's form or the signed-in redirect, or
// the page named by failPage with the error.
func (s *Service) respond(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *page, failPage, challenge, session string, answers map[string]string) {
	o, err := s.SignIn.HostedRespond(r.Context(), a.client, challenge, session, p.Username, answers)
	if err != nil {
		s.challengeFailed(w, r, failPage, p, err)
		return
	}
	s.finishSignIn(w, r, st, a, p, o)
}

// otpauthURI is the Key URI of a software token, which authenticator apps
// read (as text here, or from a QR code an app makes of it): the pool's
// name as issuer, the user's sign-in name as account, and Cognito's TOTP
// parameters.
func otpauthURI(issuer, account, secret string) string {
	q := url.Values{
		"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"},
		"period": {strconv.Itoa(int(authn.TOTPPeriod.Seconds()))},
	}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}
