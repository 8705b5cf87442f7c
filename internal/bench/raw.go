package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// rawClient sends the timed requests of every run, the baseline's and the
// workload's alike: AWS JSON 1.1 over net/http with encoding/json, one POST
// per operation, without the SDK's middleware and without SigV4 signing. Its
// own cost is small, so that a ratio of two runs is about the servers. The
// endpoint must accept unsigned requests for the operations a workload
// sends (Cognate does without --iam-credentials; so do the usual emulators).
// Setup (pools, users, passwords) still goes through the SDK.
type rawClient struct {
	url  string
	http *http.Client
}

// newRawClient returns a rawClient for endpoint over transport.
func newRawClient(endpoint string, transport *http.Transport) *rawClient {
	return &rawClient{url: strings.TrimSuffix(endpoint, "/") + "/", http: &http.Client{Transport: transport, Timeout: requestTimeout}}
}

// apiError is an exception an endpoint answered with.
type apiError struct {
	Code, Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// call sends operation with the JSON of in and decodes a successful answer
// into out, or reads it and throws it away when out is nil. An exception
// comes back as an *apiError.
func (c *rawClient) call(ctx context.Context, operation string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s: %w", operation, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+operation)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		data, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(data, &e) != nil || e.Type == "" {
			return fmt.Errorf("%s: HTTP %d: %.200s", operation, resp.StatusCode, data)
		}
		// The type may carry a namespace prefix (aws.cognito#Name).
		if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
			e.Type = e.Type[i+1:]
		}
		return &apiError{Code: e.Type, Message: e.Message}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s: %w", operation, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// attribute is an AttributeType.
type attribute struct {
	Name  string
	Value string
}

// authResult is the part of an InitiateAuth or RespondToAuthChallenge
// answer the workloads read.
type authResult struct {
	ChallengeName        string
	ChallengeParameters  map[string]string
	Session              string
	AuthenticationResult *struct {
		RefreshToken string
	}
}

// initiateAuth sends InitiateAuth.
func (c *rawClient) initiateAuth(ctx context.Context, clientID, flow string, params map[string]string) (*authResult, error) {
	var out authResult
	err := c.call(ctx, "InitiateAuth", struct {
		ClientId       string
		AuthFlow       string
		AuthParameters map[string]string
	}{clientID, flow, params}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
