package config

import (
	"flag"
	"net/url"
)

// lambdaFlags defines the flags that say where the functions of the pools'
// Lambda triggers run.
func lambdaFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.LambdaEndpoint, "lambda-endpoint", "", "AWS Lambda Invoke API endpoint the pools' trigger functions are invoked at, SigV4-signed with the standard AWS credentials "+
		"(https://lambda.REGION.amazonaws.com, LocalStack, sam local start-lambda); empty invokes only the functions of --lambda-functions")
	fs.StringVar(&c.KMSEndpoint, "kms-endpoint", "", "AWS KMS endpoint the codes for custom sender triggers are encrypted through (GenerateDataKey under the pool's KMSKeyID), SigV4-signed with the standard AWS credentials; "+
		"empty uses https://kms.REGION.amazonaws.com")
	fs.StringVar(&c.LambdaFunctions, "lambda-functions", "", "file (YAML or JSON) whose Functions map trigger function ARNs or names to HTTP endpoints that receive the event by POST")
}

// validateLambda checks the Invoke API and KMS endpoints.
func (c *Config) validateLambda(bad func(format string, args ...any)) {
	for _, f := range []struct{ name, value string }{{"lambda-endpoint", c.LambdaEndpoint}, {"kms-endpoint", c.KMSEndpoint}} {
		if f.value == "" {
			continue
		}
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("--%s %q is not an http:// or https:// URL", f.name, f.value)
		}
	}
}
