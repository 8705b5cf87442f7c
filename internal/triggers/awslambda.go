package triggers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// AWSLambda invokes functions through the AWS Lambda Invoke API (POST
// /2015-03-31/functions/NAME/invocations, RequestResponse) at an endpoint:
// real AWS Lambda, LocalStack, sam local start-lambda, serverless-offline.
// Requests are signed with SigV4 and the standard AWS credential chain.
type AWSLambda struct {
	client *lambda.Client
}

// NewAWSLambda returns an AWSLambda for the endpoint (empty for AWS's own
// endpoint of the region). creds replaces the credential chain when not
// nil. The SDK's own retries are off: the trigger runner retries as
// Cognito does.
func NewAWSLambda(ctx context.Context, endpoint, region string, creds aws.CredentialsProvider) (*AWSLambda, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if creds != nil {
		opts = append(opts, awsconfig.WithCredentialsProvider(creds))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("lambda client configuration: %w", err)
	}
	client := lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.Retryer = aws.NopRetryer{}
	})
	return &AWSLambda{client: client}, nil
}

// Invoke implements Invoker.
func (a *AWSLambda) Invoke(ctx context.Context, function string, event []byte) ([]byte, error) {
	out, err := a.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(function), Payload: event, InvocationType: types.InvocationTypeRequestResponse,
	})
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	if out.FunctionError != nil {
		return nil, functionError(out.Payload)
	}
	return out.Payload, nil
}

// InvokeAsync implements Invoker: the event is queued with the Event
// invocation type, and Lambda runs the function (and retries it) later.
func (a *AWSLambda) InvokeAsync(ctx context.Context, function string, event []byte) error {
	_, err := a.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(function), Payload: event, InvocationType: types.InvocationTypeEvent,
	})
	if err != nil {
		return fmt.Errorf("invoke %s asynchronously: %w", function, err)
	}
	return nil
}
