package signin

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
)

// knownDevice returns the confirmed device of the user that the request's
// DEVICE_KEY names, or nil; nil too when the pool does not track devices.
func knownDevice(r *request, u *store.User) (*authn.Device, error) {
	key := r.params["DEVICE_KEY"]
	if r.client.Pool.Settings.DeviceConfiguration == nil || key == "" {
		return nil, nil
	}
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	if d := st.Device(key); d != nil && d.Confirmed() {
		return d, nil
	}
	return nil, nil
}

// tokenDevice returns the NewDeviceMetadata of tokens and the device key
// their refresh token is bound to, when the pool tracks devices: the known
// device the sign-in named (no metadata), else a new device key and group
// key.
func (s *Service) tokenDevice(ctx context.Context, r *request, u *store.User) (*model.NewDeviceMetadataType, string, error) {
	if r.client.Pool.Settings.DeviceConfiguration == nil {
		return nil, "", nil
	}
	d, err := knownDevice(r, u)
	if err != nil {
		return nil, "", err
	}
	if d != nil {
		return nil, d.Key, nil
	}
	md, err := s.Auth.NewDevice(ctx, u)
	if err != nil || md == nil {
		return nil, "", err
	}
	return md, md.DeviceKey, nil
}

// challengeDevice asks a sign-in whose first factor is in and that names a
// remembered device to prove the device (DEVICE_SRP_AUTH), or returns nil.
func (s *Service) challengeDevice(ctx context.Context, r *request, u *store.User, tokenSource string) (*outcome, error) {
	d, err := knownDevice(r, u)
	if err != nil || d == nil || d.Remembered != authn.DeviceRemembered {
		return nil, err
	}
	session, err := s.Auth.NewSession(ctx, r.client, u, &authn.SessionData{
		Challenge: model.ChallengeNameTypeDeviceSrpAuth, Username: u.Username, AuthTime: s.Now(), TokenSource: tokenSource, DeviceKey: d.Key,
	})
	if err != nil {
		return nil, err
	}
	return &outcome{challenge: model.ChallengeNameTypeDeviceSrpAuth, session: session, params: map[string]string{}}, nil
}

// respondDevice runs the device's SRP exchange: DEVICE_SRP_AUTH (the
// client's SRP_A, answered with DEVICE_PASSWORD_VERIFIER) and
// DEVICE_PASSWORD_VERIFIER (the proof, computed with the device group key
// in place of the pool name and the device key in place of the username).
// A proven remembered device signs in without the second factor when the
// pool's ChallengeRequiredOnNewDevice says so.
func (s *Service) respondDevice(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	key, err := param(r.params, "DEVICE_KEY")
	if err != nil {
		return nil, err
	}
	if key != sess.Data.DeviceKey {
		return nil, authn.ErrInvalidSession()
	}
	d, err := knownDevice(r, u)
	if err != nil {
		return nil, err
	}
	if d == nil || d.Remembered != authn.DeviceRemembered {
		return nil, authn.ErrDeviceNotFound()
	}
	cred, err := s.Auth.DeviceCredential(u, d)
	if err != nil {
		return nil, err
	}
	if r.flow == model.ChallengeNameTypeDeviceSrpAuth {
		return s.deviceVerifierChallenge(ctx, r, u, sess, d, cred)
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	sig, ts, err := s.passwordClaim(r, sess)
	if err != nil {
		return nil, err
	}
	srv, err := srp.Resume(cred.Verifier, sess.Data.SRPA, sess.Data.SRPb, sess.Data.SRPB)
	if err != nil {
		return nil, err
	}
	if !srv.Verify(d.GroupKey, d.Key, sess.Data.SecretBlock, ts, sig) {
		return nil, authn.ErrIncorrectPassword()
	}
	now := s.Now()
	err = s.Auth.EditDevice(ctx, u, d.Key, func(d *authn.Device) (bool, error) {
		d.LastAuthAt = now
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	source := sess.Data.TokenSource
	if source == "" {
		source = "TokenGeneration_Authentication"
	}
	if dc := r.client.Pool.Settings.DeviceConfiguration; dc == nil || dc.ChallengeRequiredOnNewDevice == nil || !*dc.ChallengeRequiredOnNewDevice {
		if o, err := s.challengeMFA(ctx, r, u, source); o != nil || err != nil {
			return o, err
		}
	}
	return s.issue(ctx, r, u, "PostAuthentication_Authentication", source)
}

// deviceVerifierChallenge answers DEVICE_SRP_AUTH with the
// DEVICE_PASSWORD_VERIFIER challenge.
func (s *Service) deviceVerifierChallenge(ctx context.Context, r *request, u *store.User, sess *authn.Session, d *authn.Device, cred *srp.Credential) (*outcome, error) {
	srpA, err := param(r.params, "SRP_A")
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
	srv, err := srp.NewServer(cred.Verifier, srpA, b)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, invalid("SRP_A is not a valid SRP public value")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	session, err := s.Auth.NewSession(ctx, r.client, u, &authn.SessionData{
		Challenge: model.ChallengeNameTypeDevicePasswordVerifier, Username: u.Username, AuthTime: sess.Data.AuthTime,
		TokenSource: sess.Data.TokenSource, DeviceKey: d.Key, SRPA: srpA, SRPb: b, SecretBlock: block, SRPB: srv.B(),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{
		challenge: model.ChallengeNameTypeDevicePasswordVerifier, session: session,
		params: map[string]string{
			"SRP_B": srv.B(), "SALT": hex.EncodeToString(cred.Salt), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(block),
			"USERNAME": u.Username, "DEVICE_KEY": d.Key,
		},
	}, nil
}
