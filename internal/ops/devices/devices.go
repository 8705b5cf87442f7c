// Package devices implements remembered devices: ConfirmDevice, GetDevice,
// ListDevices, ForgetDevice, UpdateDeviceStatus and their Admin forms. The
// devices live in the user's sign-in state (internal/authn); the sign-in
// challenges that prove them are internal/ops/signin's.
package devices

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the device operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpConfirmDevice, s.ConfirmDevice)
	awsjson.Handle(m, model.OpGetDevice, s.GetDevice)
	awsjson.Handle(m, model.OpListDevices, s.ListDevices)
	awsjson.Handle(m, model.OpForgetDevice, s.ForgetDevice)
	awsjson.Handle(m, model.OpUpdateDeviceStatus, s.UpdateDeviceStatus)
	awsjson.Handle(m, model.OpAdminGetDevice, s.AdminGetDevice)
	awsjson.Handle(m, model.OpAdminListDevices, s.AdminListDevices)
	awsjson.Handle(m, model.OpAdminForgetDevice, s.AdminForgetDevice)
	awsjson.Handle(m, model.OpAdminUpdateDeviceStatus, s.AdminUpdateDeviceStatus)
}

func invalid(msg string) error { return &model.InvalidParameterException{Message: msg} }

// MaxList is the largest (and default) page of ListDevices.
const MaxList = 60

// caller returns the pool and user of an access token.
func (s *Service) caller(ctx context.Context, token string) (*userpool.Pool, *store.User, error) {
	pr, err := s.Auth.Authorize(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	return pr.Pool, pr.User, nil
}

// admin returns a pool and one of its users.
func (s *Service) admin(ctx context.Context, poolID, name string) (*userpool.Pool, *store.User, error) {
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		return nil, nil, err
	}
	u, err := p.FindUser(ctx, s.Store, name)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// wire returns a device as the wire's DeviceType.
func wire(d *authn.Device) model.DeviceType {
	remembered := d.Remembered
	if remembered == "" {
		remembered = authn.DeviceNotRemembered
	}
	as := []model.AttributeType{{Name: "device_status", Value: "valid"}}
	if d.Name != "" {
		as = append(as, model.AttributeType{Name: "device_name", Value: d.Name})
	}
	as = append(as, model.AttributeType{Name: "dev:device_remembered_status", Value: remembered})
	out := model.DeviceType{
		DeviceKey: d.Key, DeviceAttributes: as, DeviceCreateDate: model.NewTime(d.CreatedAt),
		DeviceLastModifiedDate: model.NewTime(d.UpdatedAt),
	}
	if !d.LastAuthAt.IsZero() {
		out.DeviceLastAuthenticatedDate = model.NewTime(d.LastAuthAt)
	}
	return out
}

// ConfirmDevice confirms a device that sign-in issued to the caller (the
// NewDeviceMetadata of their tokens) with its SRP verifier. The device is
// remembered at once unless the pool's DeviceOnlyRememberedOnUserPrompt
// leaves that to the user (UserConfirmationNecessary, then
// UpdateDeviceStatus).
func (s *Service) ConfirmDevice(ctx context.Context, in *model.ConfirmDeviceRequest) (*model.ConfirmDeviceResponse, error) {
	p, u, err := s.caller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	dc := p.Settings.DeviceConfiguration
	if dc == nil {
		return nil, invalid("Device tracking is not enabled for the user pool")
	}
	cfg := in.DeviceSecretVerifierConfig
	if cfg == nil {
		return nil, invalid("DeviceSecretVerifierConfig is required")
	}
	verifier, err := base64.StdEncoding.DecodeString(cfg.PasswordVerifier)
	if err != nil {
		return nil, invalid("DeviceSecretVerifierConfig.PasswordVerifier is not base64")
	}
	salt, err := base64.StdEncoding.DecodeString(cfg.Salt)
	if err != nil {
		return nil, invalid("DeviceSecretVerifierConfig.Salt is not base64")
	}
	prompt := dc.DeviceOnlyRememberedOnUserPrompt != nil && *dc.DeviceOnlyRememberedOnUserPrompt
	remembered := authn.DeviceRemembered
	if prompt {
		remembered = authn.DeviceNotRemembered
	}
	if err := s.Auth.ConfirmDevice(ctx, u, in.DeviceKey, in.DeviceName, remembered, verifier, salt); err != nil {
		return nil, err
	}
	return &model.ConfirmDeviceResponse{UserConfirmationNecessary: &prompt}, nil
}

// device returns a confirmed device of the user.
func device(u *store.User, key string) (*authn.Device, error) {
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	d := st.Device(key)
	if d == nil || !d.Confirmed() {
		return nil, authn.ErrDeviceNotFound()
	}
	return d, nil
}

// GetDevice returns one of the caller's devices.
func (s *Service) GetDevice(ctx context.Context, in *model.GetDeviceRequest) (*model.GetDeviceResponse, error) {
	_, u, err := s.caller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := device(u, in.DeviceKey)
	if err != nil {
		return nil, err
	}
	w := wire(d)
	return &model.GetDeviceResponse{Device: &w}, nil
}

// AdminGetDevice returns one of a user's devices.
func (s *Service) AdminGetDevice(ctx context.Context, in *model.AdminGetDeviceRequest) (*model.AdminGetDeviceResponse, error) {
	_, u, err := s.admin(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	d, err := device(u, in.DeviceKey)
	if err != nil {
		return nil, err
	}
	w := wire(d)
	return &model.AdminGetDeviceResponse{Device: &w}, nil
}

// list returns a page of the user's confirmed devices, oldest first; the
// pagination token is the key of the first device of the next page.
func list(u *store.User, limit *int32, token string) ([]model.DeviceType, string, error) {
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, "", err
	}
	n := MaxList
	if limit != nil && *limit > 0 && int(*limit) < n {
		n = int(*limit)
	}
	var ds []authn.Device
	for _, d := range st.Devices {
		if d.Confirmed() {
			ds = append(ds, d)
		}
	}
	slices.SortStableFunc(ds, func(a, b authn.Device) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	start := 0
	if token != "" {
		start = slices.IndexFunc(ds, func(d authn.Device) bool { return d.Key == token })
		if start < 0 {
			return nil, "", invalid("Invalid pagination token")
		}
	}
	out := []model.DeviceType{}
	for i := start; i < len(ds) && len(out) < n; i++ {
		out = append(out, wire(&ds[i]))
	}
	next := ""
	if start+len(out) < len(ds) {
		next = ds[start+len(out)].Key
	}
	return out, next, nil
}

// ListDevices lists the caller's devices.
func (s *Service) ListDevices(ctx context.Context, in *model.ListDevicesRequest) (*model.ListDevicesResponse, error) {
	_, u, err := s.caller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	ds, next, err := list(u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &model.ListDevicesResponse{Devices: ds, PaginationToken: next}, nil
}

// AdminListDevices lists a user's devices.
func (s *Service) AdminListDevices(ctx context.Context, in *model.AdminListDevicesRequest) (*model.AdminListDevicesResponse, error) {
	_, u, err := s.admin(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	ds, next, err := list(u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &model.AdminListDevicesResponse{Devices: ds, PaginationToken: next}, nil
}

func (s *Service) forget(ctx context.Context, u *store.User, key string) error {
	return s.Auth.EditDevice(ctx, u, key, func(*authn.Device) (bool, error) { return true, nil })
}

// ForgetDevice forgets one of the caller's devices.
func (s *Service) ForgetDevice(ctx context.Context, in *model.ForgetDeviceRequest) (*model.Empty, error) {
	_, u, err := s.caller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.forget(ctx, u, in.DeviceKey); err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

// AdminForgetDevice forgets one of a user's devices.
func (s *Service) AdminForgetDevice(ctx context.Context, in *model.AdminForgetDeviceRequest) (*model.Empty, error) {
	_, u, err := s.admin(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.forget(ctx, u, in.DeviceKey); err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

func (s *Service) setStatus(ctx context.Context, u *store.User, key, status string) error {
	if status == "" {
		status = authn.DeviceNotRemembered
	}
	now := s.Now()
	return s.Auth.EditDevice(ctx, u, key, func(d *authn.Device) (bool, error) {
		d.Remembered, d.UpdatedAt = status, now
		return false, nil
	})
}

// UpdateDeviceStatus sets whether one of the caller's devices is
// remembered.
func (s *Service) UpdateDeviceStatus(ctx context.Context, in *model.UpdateDeviceStatusRequest) (*model.UpdateDeviceStatusResponse, error) {
	_, u, err := s.caller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.setStatus(ctx, u, in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &model.UpdateDeviceStatusResponse{}, nil
}

// AdminUpdateDeviceStatus sets whether one of a user's devices is
// remembered.
func (s *Service) AdminUpdateDeviceStatus(ctx context.Context, in *model.AdminUpdateDeviceStatusRequest) (*model.AdminUpdateDeviceStatusResponse, error) {
	_, u, err := s.admin(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.setStatus(ctx, u, in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &model.AdminUpdateDeviceStatusResponse{}, nil
}
