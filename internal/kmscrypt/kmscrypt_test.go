package kmscrypt_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/kmscrypt/kmstest"
)

const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func newKMS(t *testing.T) *kmscrypt.KMS {
	t.Helper()
	return kmscrypt.NewKMS(kmstest.Start(t), "us-east-1", credentials.NewStaticCredentialsProvider("AKID", "secret", ""))
}

func TestRoundTrip(t *testing.T) {
	k := newKMS(t)
	ctx := context.Background()
	for _, size := range []int{0, 6, 4095, 4096, 4097, 3*4096 + 17} {
		plain := bytes.Repeat([]byte("0123456789"), size/10+1)[:size]
		msg, err := kmscrypt.Encrypt(ctx, k, keyARN, map[string]string{"userpool-id": "us-east-1_test"}, plain)
		if err != nil {
			t.Fatalf("size %d: encrypt: %v", size, err)
		}
		got, ec, err := kmscrypt.Decrypt(ctx, k, msg)
		if err != nil {
			t.Fatalf("size %d: decrypt: %v", size, err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("size %d: plaintext changed", size)
		}
		if ec["userpool-id"] != "us-east-1_test" || ec[kmscrypt.PublicKeyContext] == "" {
			t.Errorf("size %d: encryption context %v", size, ec)
		}
	}
}

// TestTampering flips every byte of a message in turn: none survives.
func TestTampering(t *testing.T) {
	k := newKMS(t)
	ctx := context.Background()
	msg, err := kmscrypt.Encrypt(ctx, k, keyARN, nil, []byte("123456"))
	if err != nil {
		t.Fatal(err)
	}
	if msg[0] != 2 || msg[1] != 0x05 || msg[2] != 0x78 {
		t.Fatalf("header starts % x, want version 2, suite 0x0578", msg[:3])
	}
	for i := range msg {
		bad := bytes.Clone(msg)
		bad[i] ^= 0x01
		if _, _, err := kmscrypt.Decrypt(ctx, k, bad); err == nil {
			t.Errorf("byte %d flipped: decrypted", i)
		}
	}
	if _, _, err := kmscrypt.Decrypt(ctx, k, msg[:len(msg)-1]); !errors.Is(err, kmscrypt.ErrMalformed) {
		t.Errorf("truncated: %v", err)
	}
}

func TestUnknownKey(t *testing.T) {
	k := newKMS(t)
	_, err := kmscrypt.Encrypt(context.Background(), k, "alias/nothing", nil, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
		t.Errorf("encrypt under an unknown key: %v", err)
	}
}

// noKeys refuses every data key, for the fuzz target's parser.
type noKeys struct{}

func (noKeys) DecryptDataKey(context.Context, []byte, map[string]string) ([]byte, string, error) {
	return nil, "", errors.New("no keys")
}

func FuzzDecrypt(f *testing.F) {
	f.Add([]byte{2, 5, 0x78})
	f.Add(bytes.Repeat([]byte{0}, 200))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if _, _, err := kmscrypt.Decrypt(context.Background(), noKeys{}, msg); err == nil {
			t.Fatal("decrypted without a key")
		}
	})
}
