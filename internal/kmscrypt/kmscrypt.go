// Package kmscrypt writes and reads messages in the AWS Encryption SDK's
// message format, as Cognito encrypts the codes it hands to custom sender
// triggers: a data key from AWS KMS (GenerateDataKey under the pool's KMS
// key) encrypts the plaintext, and the message carries that data key
// encrypted by KMS, so that the function decrypts it with any AWS
// Encryption SDK (@aws-crypto/client-node, aws-encryption-sdk for Python,
// Java, .NET) and kms:Decrypt.
//
// Messages are format version 2 with the algorithm suite 0x0578
// (AES-256-GCM, HKDF-SHA512 key derivation with key commitment, ECDSA P-384
// signature), the suite the Encryption SDKs use by default, framed content
// with 4096-byte frames. Every commitment policy decrypts them.
package kmscrypt

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
)

// DataKeys makes data keys under a KMS key (AWS KMS GenerateDataKey): the
// plaintext key, the key encrypted under keyID and bound to the
// encryption context, and the ARN of the KMS key that encrypted it.
type DataKeys interface {
	GenerateDataKey(ctx context.Context, keyID string, encryptionContext map[string]string, size int) (plaintext, ciphertext []byte, keyARN string, err error)
}

// DataKeyDecrypter decrypts an encrypted data key (AWS KMS Decrypt) and
// returns it with the ARN of the KMS key that decrypted it.
type DataKeyDecrypter interface {
	DecryptDataKey(ctx context.Context, ciphertext []byte, encryptionContext map[string]string) (plaintext []byte, keyARN string, err error)
}

// Constants of the message format and of algorithm suite 0x0578.
const (
	formatVersion = 0x02
	suiteID       = 0x0578
	contentFramed = 0x02
	frameLength   = 4096
	messageIDSize = 32
	keySize       = 32
	ivSize        = 12
	tagSize       = 16
	// ProviderID is the key provider ID of data keys encrypted by AWS KMS.
	ProviderID = "aws-kms"
	// PublicKeyContext is the encryption context key that carries the
	// signature's verification key.
	PublicKeyContext = "aws-crypto-public-key"
	finalFrameMark   = 0xFFFFFFFF
)

// Body AAD content strings of the framed content.
const (
	frameAAD      = "AWSKMSEncryptionClient Frame"
	finalFrameAAD = "AWSKMSEncryptionClient Final Frame"
)

// Encrypt encrypts plaintext under the KMS key keyID with the encryption
// context ec (which must not hold PublicKeyContext) and returns the
// message.
func Encrypt(ctx context.Context, keys DataKeys, keyID string, ec map[string]string, plaintext []byte) ([]byte, error) {
	if _, ok := ec[PublicKeyContext]; ok {
		return nil, fmt.Errorf("encryption context key %s is reserved", PublicKeyContext)
	}
	signer, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	full := map[string]string{PublicKeyContext: base64.StdEncoding.EncodeToString(compress(&signer.PublicKey))}
	for k, v := range ec {
		full[k] = v
	}
	dataKey, edk, arn, err := keys.GenerateDataKey(ctx, keyID, full, keySize)
	if err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	if len(dataKey) != keySize {
		return nil, fmt.Errorf("generate data key: %d bytes, want %d", len(dataKey), keySize)
	}
	messageID := make([]byte, messageIDSize)
	if _, err := rand.Read(messageID); err != nil {
		return nil, fmt.Errorf("message ID: %w", err)
	}
	aead, commitKey, err := derive(dataKey, messageID)
	if err != nil {
		return nil, err
	}
	var msg bytes.Buffer
	msg.WriteByte(formatVersion)
	put16(&msg, suiteID)
	msg.Write(messageID)
	aad, err := serializeContext(full)
	if err != nil {
		return nil, err
	}
	put16(&msg, len(aad))
	msg.Write(aad)
	put16(&msg, 1)
	for _, field := range [][]byte{[]byte(ProviderID), []byte(arn), edk} {
		if len(field) > 0xFFFF {
			return nil, errors.New("encrypted data key field too long")
		}
		put16(&msg, len(field))
		msg.Write(field)
	}
	msg.WriteByte(contentFramed)
	put32(&msg, frameLength)
	msg.Write(commitKey)
	// Header authentication: the tag of an empty plaintext under a zero
	// IV, over the header body.
	msg.Write(aead.Seal(nil, make([]byte, ivSize), nil, msg.Bytes()))
	// Body: whole frames, then the final frame (possibly empty).
	seq := uint32(1)
	for ; len(plaintext) > frameLength; seq++ {
		iv := frameIV(seq)
		put32(&msg, int(seq))
		msg.Write(iv)
		msg.Write(aead.Seal(nil, iv, plaintext[:frameLength], bodyAAD(messageID, frameAAD, seq, frameLength)))
		plaintext = plaintext[frameLength:]
	}
	iv := frameIV(seq)
	put32(&msg, finalFrameMark)
	put32(&msg, int(seq))
	msg.Write(iv)
	put32(&msg, len(plaintext))
	msg.Write(aead.Seal(nil, iv, plaintext, bodyAAD(messageID, finalFrameAAD, seq, len(plaintext))))
	// Footer: the signature of everything before it.
	digest := sha512.Sum384(msg.Bytes())
	sig, err := ecdsa.SignASN1(rand.Reader, signer, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	put16(&msg, len(sig))
	msg.Write(sig)
	return msg.Bytes(), nil
}

// ErrMalformed is the failure to read a message that is not a well-formed
// message of format version 2 and algorithm suite 0x0578, or whose
// authentication fails.
var ErrMalformed = errors.New("malformed or unauthentic encryption SDK message")

// Decrypt reads a message Encrypt wrote: it decrypts the data key of
// provider ProviderID through keys, checks the key commitment, the header
// and frame tags and the signature, and returns the plaintext and the
// encryption context.
func Decrypt(ctx context.Context, keys DataKeyDecrypter, message []byte) ([]byte, map[string]string, error) {
	r := &reader{b: message}
	if r.u8() != formatVersion || r.u16() != suiteID {
		return nil, nil, fmt.Errorf("%w: not format version 2 with suite 0x0578", ErrMalformed)
	}
	messageID := r.take(messageIDSize)
	ec, err := parseContext(r.take(int(r.u16())))
	if err != nil || r.err != nil {
		return nil, nil, fmt.Errorf("%w: encryption context", ErrMalformed)
	}
	type edk struct{ provider, info, key []byte }
	var edks []edk
	for range r.u16() {
		edks = append(edks, edk{r.take(int(r.u16())), r.take(int(r.u16())), r.take(int(r.u16()))})
	}
	if r.u8() != contentFramed {
		return nil, nil, fmt.Errorf("%w: content type", ErrMalformed)
	}
	frameLen := r.u32()
	commitKey := r.take(keySize)
	headerEnd := r.off
	headerTag := r.take(tagSize)
	if r.err != nil || frameLen == 0 {
		return nil, nil, fmt.Errorf("%w: header", ErrMalformed)
	}
	var dataKey []byte
	for _, k := range edks {
		if string(k.provider) != ProviderID {
			continue
		}
		pt, arn, err := keys.DecryptDataKey(ctx, k.key, ec)
		if err != nil {
			return nil, nil, fmt.Errorf("decrypt data key: %w", err)
		}
		if arn != string(k.info) || len(pt) != keySize {
			return nil, nil, fmt.Errorf("%w: data key of %s", ErrMalformed, k.info)
		}
		dataKey = pt
		break
	}
	if dataKey == nil {
		return nil, nil, fmt.Errorf("%w: no %s data key", ErrMalformed, ProviderID)
	}
	aead, wantCommit, err := derive(dataKey, messageID)
	if err != nil {
		return nil, nil, err
	}
	if subtle.ConstantTimeCompare(wantCommit, commitKey) != 1 {
		return nil, nil, fmt.Errorf("%w: key commitment", ErrMalformed)
	}
	if _, err := aead.Open(nil, make([]byte, ivSize), headerTag, message[:headerEnd]); err != nil {
		return nil, nil, fmt.Errorf("%w: header authentication", ErrMalformed)
	}
	var plaintext []byte
	for seq := uint32(1); ; seq++ {
		mark := r.u32()
		final := mark == finalFrameMark
		if final {
			mark = r.u32()
		}
		iv := r.take(ivSize)
		n := int(frameLen)
		if final {
			n = int(r.u32())
		}
		if r.err != nil || mark != seq || n > int(frameLen) || !bytes.Equal(iv, frameIV(seq)) {
			return nil, nil, fmt.Errorf("%w: frame %d", ErrMalformed, seq)
		}
		sealed := r.take(n + tagSize)
		label := frameAAD
		if final {
			label = finalFrameAAD
		}
		pt, err := aead.Open(nil, iv, sealed, bodyAAD(messageID, label, seq, n))
		if r.err != nil || err != nil {
			return nil, nil, fmt.Errorf("%w: frame %d", ErrMalformed, seq)
		}
		plaintext = append(plaintext, pt...)
		if final {
			break
		}
	}
	signed := message[:r.off]
	sig := r.take(int(r.u16()))
	if r.err != nil || r.off != len(message) {
		return nil, nil, fmt.Errorf("%w: footer", ErrMalformed)
	}
	pub, err := decompress(ec[PublicKeyContext])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: verification key", ErrMalformed)
	}
	digest := sha512.Sum384(signed)
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return nil, nil, fmt.Errorf("%w: signature", ErrMalformed)
	}
	return plaintext, ec, nil
}

// derive returns the AES-256-GCM of the derived data key and the
// commitment key of a data key and message ID.
func derive(dataKey, messageID []byte) (cipher.AEAD, []byte, error) {
	info := binary.BigEndian.AppendUint16(nil, suiteID)
	key, err := hkdf.Key(sha512.New, dataKey, messageID, string(append(info, "DERIVEKEY"...)), keySize)
	if err != nil {
		return nil, nil, fmt.Errorf("derive key: %w", err)
	}
	commit, err := hkdf.Key(sha512.New, dataKey, messageID, "COMMITKEY", keySize)
	if err != nil {
		return nil, nil, fmt.Errorf("derive commitment key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, fmt.Errorf("derive key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("derive key: %w", err)
	}
	return aead, commit, nil
}

// frameIV is a frame's IV: its sequence number, big-endian, in 12 bytes.
func frameIV(seq uint32) []byte {
	return binary.BigEndian.AppendUint32(make([]byte, ivSize-4), seq)
}

// bodyAAD is a frame's additional authenticated data.
func bodyAAD(messageID []byte, label string, seq uint32, n int) []byte {
	b := slices.Concat(messageID, []byte(label))
	b = binary.BigEndian.AppendUint32(b, seq)
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

// serializeContext writes an encryption context: the pair count, then the
// pairs sorted by key, each length-prefixed; empty for an empty context.
func serializeContext(ec map[string]string) ([]byte, error) {
	if len(ec) == 0 {
		return nil, nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range ec {
			if !yield(k) {
				return
			}
		}
	})
	var b bytes.Buffer
	put16(&b, len(keys))
	for _, k := range keys {
		if len(k) > 0xFFFF || len(ec[k]) > 0xFFFF {
			return nil, errors.New("encryption context entry too long")
		}
		put16(&b, len(k))
		b.WriteString(k)
		put16(&b, len(ec[k]))
		b.WriteString(ec[k])
	}
	if b.Len() > 0xFFFF {
		return nil, errors.New("encryption context too long")
	}
	return b.Bytes(), nil
}

// parseContext reads an encryption context serializeContext wrote.
func parseContext(b []byte) (map[string]string, error) {
	ec := map[string]string{}
	if len(b) == 0 {
		return ec, nil
	}
	r := &reader{b: b}
	for range r.u16() {
		k := string(r.take(int(r.u16())))
		v := string(r.take(int(r.u16())))
		if _, dup := ec[k]; dup {
			return nil, ErrMalformed
		}
		ec[k] = v
	}
	if r.err != nil || r.off != len(b) {
		return nil, ErrMalformed
	}
	return ec, nil
}

// compress is the compressed form of a P-384 public key (SEC 1).
func compress(pub *ecdsa.PublicKey) []byte {
	b, _ := pub.Bytes()
	x, y := b[1:49], b[49:]
	return append([]byte{2 | y[len(y)-1]&1}, x...)
}

// decompress reads a base64 compressed P-384 public key.
func decompress(s string) (*ecdsa.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 49 || (b[0] != 2 && b[0] != 3) {
		return nil, ErrMalformed
	}
	curve := elliptic.P384().Params()
	x := new(big.Int).SetBytes(b[1:])
	if x.Cmp(curve.P) >= 0 {
		return nil, ErrMalformed
	}
	// y² = x³ - 3x + b (mod p)
	y2 := new(big.Int).Exp(x, big.NewInt(3), curve.P)
	y2.Sub(y2, new(big.Int).Mul(x, big.NewInt(3)))
	y2.Add(y2, curve.B)
	y2.Mod(y2, curve.P)
	y := new(big.Int).ModSqrt(y2, curve.P)
	if y == nil {
		return nil, ErrMalformed
	}
	if y.Bit(0) != uint(b[0]&1) {
		y.Sub(curve.P, y)
	}
	raw := make([]byte, 97)
	raw[0] = 4
	x.FillBytes(raw[1:49])
	y.FillBytes(raw[49:])
	return ecdsa.ParseUncompressedPublicKey(elliptic.P384(), raw)
}

func put16(w io.ByteWriter, n int) {
	w.WriteByte(byte(n >> 8))
	w.WriteByte(byte(n))
}

func put32(w *bytes.Buffer, n int) {
	w.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
}

// reader reads big-endian fields; past the end it records an error and
// returns zeros.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.off < n {
		r.err = ErrMalformed
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}
