package kmscrypt

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMS is DataKeys and DataKeyDecrypter through the AWS KMS API at an
// endpoint (AWS's own for the region, LocalStack, a stand-in), signed with
// SigV4 and the standard AWS credential chain. The SDK's configuration is
// loaded on first use, not at start-up: it reads the shared AWS files and
// any CA bundle they or the environment name, which most servers, without
// custom senders, never need.
type KMS struct {
	client func() (*kms.Client, error)
}

var (
	_ DataKeys         = (*KMS)(nil)
	_ DataKeyDecrypter = (*KMS)(nil)
)

// NewKMS returns a KMS for the endpoint (empty for AWS's own endpoint of
// the region); creds replaces the credential chain when not nil.
func NewKMS(endpoint, region string, creds aws.CredentialsProvider) *KMS {
	return &KMS{client: sync.OnceValues(func() (*kms.Client, error) {
		opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
		if creds != nil {
			opts = append(opts, awsconfig.WithCredentialsProvider(creds))
		}
		cfg, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
		if err != nil {
			return nil, fmt.Errorf("kms client configuration: %w", err)
		}
		return kms.NewFromConfig(cfg, func(o *kms.Options) {
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		}), nil
	})}
}

// GenerateDataKey implements DataKeys.
func (k *KMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string, size int) ([]byte, []byte, string, error) {
	client, err := k.client()
	if err != nil {
		return nil, nil, "", err
	}
	out, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId: aws.String(keyID), EncryptionContext: ec, NumberOfBytes: aws.Int32(int32(size)),
	})
	if err != nil {
		return nil, nil, "", fmt.Errorf("kms GenerateDataKey: %w", err)
	}
	return out.Plaintext, out.CiphertextBlob, aws.ToString(out.KeyId), nil
}

// DecryptDataKey implements DataKeyDecrypter.
func (k *KMS) DecryptDataKey(ctx context.Context, ciphertext []byte, ec map[string]string) ([]byte, string, error) {
	client, err := k.client()
	if err != nil {
		return nil, "", err
	}
	out, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ciphertext, EncryptionContext: ec})
	if err != nil {
		return nil, "", fmt.Errorf("kms Decrypt: %w", err)
	}
	return out.Plaintext, aws.ToString(out.KeyId), nil
}
