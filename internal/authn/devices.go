package authn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
)

// Device remembered statuses, as UpdateDeviceStatus and the
// dev:device_remembered_status attribute name them.
const (
	DeviceRemembered    = "remembered"
	DeviceNotRemembered = "not_remembered"
)

// MaxDevices bounds the devices kept per user: when a new device would
// pass it, unconfirmed devices go first, then the one that signed in
// least recently.
const MaxDevices = 100

// Device is a device a user signed in from, kept in the user's State:
// issued with NewDeviceMetadata, confirmed with its SRP verifier by
// ConfirmDevice.
type Device struct {
	Key      string `json:"key"`
	GroupKey string `json:"groupKey"`
	Name     string `json:"name,omitzero"`
	// Sealed is the device's SRP salt and verifier (an srp.Credential),
	// sealed with the master key; nil until ConfirmDevice.
	Sealed     []byte    `json:"sealed,omitzero"`
	Remembered string    `json:"remembered,omitzero"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	LastAuthAt time.Time `json:"lastAuthAt,omitzero"`
}

// Confirmed reports whether ConfirmDevice has given the device a verifier.
func (d *Device) Confirmed() bool { return len(d.Sealed) > 0 }

// Device returns the user's device with key, or nil.
func (st *State) Device(key string) *Device {
	for i := range st.Devices {
		if st.Devices[i].Key == key {
			return &st.Devices[i]
		}
	}
	return nil
}

func deviceAAD(poolID, sub, key string) []byte {
	return []byte("device|" + poolID + "|" + sub + "|" + key)
}

// ErrDeviceNotFound is Cognito's error for a device key the user does not
// have.
func ErrDeviceNotFound() error {
	return &model.ResourceNotFoundException{Message: "Device does not exist."}
}

// NewDevice issues a device key and group key for a sign-in without a known
// device (the NewDeviceMetadata of the tokens) and keeps the device,
// unconfirmed, until ConfirmDevice.
func (s *Service) NewDevice(ctx context.Context, u *store.User) (*model.NewDeviceMetadataType, error) {
	id, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	group, err := s.IDs.Token(9)
	if err != nil {
		return nil, err
	}
	region, _, _ := strings.Cut(u.PoolID, "_")
	md := &model.NewDeviceMetadataType{DeviceKey: region + "_" + id, DeviceGroupKey: "-" + group}
	now := s.Now()
	_, err = s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		st.Devices = append(st.Devices, Device{Key: md.DeviceKey, GroupKey: md.DeviceGroupKey, CreatedAt: now, UpdatedAt: now})
		for len(st.Devices) > MaxDevices {
			i := evictable(st.Devices)
			st.Devices = slices.Delete(st.Devices, i, i+1)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return md, nil
}

// evictable returns the index of the device to drop first: the oldest
// unconfirmed one, else the one that signed in least recently.
func evictable(ds []Device) int {
	best := 0
	for i := range ds {
		a, b := &ds[i], &ds[best]
		if a.Confirmed() != b.Confirmed() {
			if !a.Confirmed() {
				best = i
			}
			continue
		}
		if last(a).Before(last(b)) {
			best = i
		}
	}
	return best
}

func last(d *Device) time.Time {
	if d.LastAuthAt.IsZero() {
		return d.CreatedAt
	}
	return d.LastAuthAt
}

// ConfirmDevice stores the SRP verifier and salt of a device issued to the
// user, with its name and remembered status.
func (s *Service) ConfirmDevice(ctx context.Context, u *store.User, key, name, remembered string, verifier, salt []byte) error {
	if len(verifier) == 0 || len(verifier) > srp.VerifierSize+1 || len(salt) == 0 || len(salt) > 64 {
		return &model.InvalidParameterException{Message: "DeviceSecretVerifierConfig must give the device's SRP PasswordVerifier and Salt"}
	}
	plain, err := srp.Credential{Salt: salt, Verifier: verifier}.MarshalBinary()
	if err != nil {
		return err
	}
	sealed, err := s.Keys.Seal(plain, deviceAAD(u.PoolID, u.Sub, key))
	if err != nil {
		return fmt.Errorf("seal device verifier: %w", err)
	}
	now := s.Now()
	_, err = s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		d := st.Device(key)
		if d == nil {
			return ErrDeviceNotFound()
		}
		d.Sealed, d.Name, d.Remembered, d.UpdatedAt = sealed, name, remembered, now
		if d.LastAuthAt.IsZero() {
			d.LastAuthAt = now
		}
		return nil
	})
	return err
}

// DeviceCredential opens a confirmed device's SRP salt and verifier.
func (s *Service) DeviceCredential(u *store.User, d *Device) (*srp.Credential, error) {
	plain, err := s.Keys.Open(d.Sealed, deviceAAD(u.PoolID, u.Sub, d.Key))
	if err != nil {
		return nil, fmt.Errorf("open device verifier: %w", err)
	}
	var c srp.Credential
	if err := c.UnmarshalBinary(plain); err != nil {
		return nil, fmt.Errorf("decode device verifier: %w", err)
	}
	return &c, nil
}

// EditDevice is the read-modify-write of one of the user's devices;
// ErrDeviceNotFound when the user has no device with key. fn may return
// remove to forget the device.
func (s *Service) EditDevice(ctx context.Context, u *store.User, key string, fn func(d *Device) (remove bool, err error)) error {
	_, err := s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		i := slices.IndexFunc(st.Devices, func(d Device) bool { return d.Key == key })
		if i < 0 || !st.Devices[i].Confirmed() {
			return ErrDeviceNotFound()
		}
		remove, err := fn(&st.Devices[i])
		if err != nil {
			return err
		}
		if remove {
			st.Devices = slices.Delete(st.Devices, i, i+1)
		}
		return nil
	})
	return err
}
