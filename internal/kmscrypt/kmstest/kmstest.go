// Package kmstest is a stand-in for AWS KMS in tests: it serves the KMS
// JSON API operations the custom sender triggers need (GenerateDataKey,
// Encrypt, Decrypt) over HTTP, so that Cognate's KMS client and a Lambda
// function's AWS Encryption SDK both talk to it as they would to AWS KMS.
// Every key ARN of the form arn:aws:kms:REGION:ACCOUNT:key/ID exists; its
// key material is derived from a secret drawn when the stand-in starts.
// Ciphertexts are bound to the key and the encryption context as KMS binds
// them. It is for tests only: it keeps no keys and checks no credentials.
package kmstest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Handler serves the KMS JSON API (AWS JSON 1.1, X-Amz-Target
// TrentService.OPERATION).
type Handler struct {
	secret []byte
}

// New returns a Handler with a fresh secret.
func New() *Handler {
	h := &Handler{secret: make([]byte, 32)}
	if _, err := rand.Read(h.secret); err != nil {
		panic(err)
	}
	return h
}

// keyARN matches the key ARNs the stand-in knows.
var keyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)

// blobVersion starts every ciphertext blob.
const blobVersion = 1

type apiError struct {
	status int
	typ    string
	msg    string
}

func fail(status int, typ, msg string) *apiError { return &apiError{status, typ, msg} }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var out any
	var aerr *apiError
	if err != nil || r.Method != http.MethodPost {
		aerr = fail(http.StatusBadRequest, "ValidationException", "bad request")
	} else {
		switch op {
		case "GenerateDataKey":
			out, aerr = h.generateDataKey(body)
		case "Encrypt":
			out, aerr = h.encrypt(body)
		case "Decrypt":
			out, aerr = h.decrypt(body)
		default:
			aerr = fail(http.StatusBadRequest, "UnknownOperationException", "operation "+op+" is not served by the stand-in")
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if aerr != nil {
		w.WriteHeader(aerr.status)
		json.NewEncoder(w).Encode(map[string]string{"__type": aerr.typ, "message": aerr.msg})
		return
	}
	json.NewEncoder(w).Encode(out)
}

type generateIn struct {
	KeyID             string            `json:"KeyId"`
	NumberOfBytes     int               `json:"NumberOfBytes"`
	KeySpec           string            `json:"KeySpec"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
}

func (h *Handler) generateDataKey(body []byte) (any, *apiError) {
	var in generateIn
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fail(http.StatusBadRequest, "ValidationException", "malformed request")
	}
	n := in.NumberOfBytes
	switch {
	case n == 0 && in.KeySpec == "AES_256":
		n = 32
	case n == 0 && in.KeySpec == "AES_128":
		n = 16
	case n < 1 || n > 1024:
		return nil, fail(http.StatusBadRequest, "ValidationException", "NumberOfBytes must be between 1 and 1024")
	}
	plain := make([]byte, n)
	if _, err := rand.Read(plain); err != nil {
		return nil, fail(http.StatusInternalServerError, "KMSInternalException", err.Error())
	}
	blob, aerr := h.seal(in.KeyID, plain, in.EncryptionContext)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"KeyId": in.KeyID, "Plaintext": plain, "CiphertextBlob": blob}, nil
}

func (h *Handler) encrypt(body []byte) (any, *apiError) {
	var in struct {
		KeyID             string            `json:"KeyId"`
		Plaintext         []byte            `json:"Plaintext"`
		EncryptionContext map[string]string `json:"EncryptionContext"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.Plaintext) == 0 || len(in.Plaintext) > 4096 {
		return nil, fail(http.StatusBadRequest, "ValidationException", "malformed request")
	}
	blob, aerr := h.seal(in.KeyID, in.Plaintext, in.EncryptionContext)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"KeyId": in.KeyID, "CiphertextBlob": blob, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}, nil
}

func (h *Handler) decrypt(body []byte) (any, *apiError) {
	var in struct {
		KeyID             string            `json:"KeyId"`
		CiphertextBlob    []byte            `json:"CiphertextBlob"`
		EncryptionContext map[string]string `json:"EncryptionContext"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fail(http.StatusBadRequest, "ValidationException", "malformed request")
	}
	invalid := fail(http.StatusBadRequest, "InvalidCiphertextException", "")
	b := in.CiphertextBlob
	if len(b) < 3 || b[0] != blobVersion {
		return nil, invalid
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	if len(b) < 3+n {
		return nil, invalid
	}
	arn, sealed := string(b[3:3+n]), b[3+n:]
	if in.KeyID != "" && in.KeyID != arn {
		return nil, fail(http.StatusBadRequest, "IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.")
	}
	aead := h.aead(arn)
	if len(sealed) < aead.NonceSize() {
		return nil, invalid
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], contextAAD(b[:3+n], in.EncryptionContext))
	if err != nil {
		return nil, invalid
	}
	return map[string]any{"KeyId": arn, "Plaintext": plain, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}, nil
}

// seal encrypts plain under the key keyID, bound to the context.
func (h *Handler) seal(keyID string, plain []byte, ec map[string]string) ([]byte, *apiError) {
	if !keyARN.MatchString(keyID) {
		return nil, fail(http.StatusBadRequest, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", keyID))
	}
	head := binary.BigEndian.AppendUint16([]byte{blobVersion}, uint16(len(keyID)))
	head = append(head, keyID...)
	aead := h.aead(keyID)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fail(http.StatusInternalServerError, "KMSInternalException", err.Error())
	}
	return append(head, aead.Seal(nonce, nonce, plain, contextAAD(head, ec))...), nil
}

// aead is the AES-256-GCM of a key ARN's key material.
func (h *Handler) aead(arn string) cipher.AEAD {
	mac := hmac.New(sha256.New, h.secret)
	mac.Write([]byte(arn))
	block, _ := aes.NewCipher(mac.Sum(nil))
	aead, _ := cipher.NewGCM(block)
	return aead
}

// contextAAD binds a blob to its head and the encryption context, whose
// pairs are taken in key order.
func contextAAD(head []byte, ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	aad := slices.Clone(head)
	for _, k := range keys {
		for _, s := range []string{k, ec[k]} {
			aad = binary.BigEndian.AppendUint32(aad, uint32(len(s)))
			aad = append(aad, s...)
		}
	}
	return aad
}

// Start serves a stand-in until the test ends and returns its URL (the
// KMS endpoint).
func Start(t testing.TB) string {
	t.Helper()
	s := httptest.NewServer(New())
	t.Cleanup(s.Close)
	return s.URL
}
