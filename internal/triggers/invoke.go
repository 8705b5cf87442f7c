package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Invoker calls functions. Invoke calls one synchronously with an event
// and returns the function's answer; function is the name LambdaConfig
// gives it (an ARN). A function that ran and failed is a *FunctionError;
// any other error is a failure to reach it. InvokeAsync queues an event
// for a function without waiting for its answer, as Lambda's Event
// invocation type does (the custom sender triggers); an error is a
// failure to queue it.
type Invoker interface {
	Invoke(ctx context.Context, function string, event []byte) ([]byte, error)
	InvokeAsync(ctx context.Context, function string, event []byte) error
}

// FunctionError is a function's own failure: Lambda's X-Amz-Function-Error
// with the errorType and errorMessage of its error payload.
type FunctionError struct {
	Type    string
	Message string
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// functionError reads an error payload ({"errorMessage": ..., "errorType":
// ...}, as the Lambda runtimes write it); a payload of another form is the
// message itself.
func functionError(payload []byte) *FunctionError {
	var p struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if err := json.Unmarshal(payload, &p); err == nil && (p.ErrorMessage != "" || p.ErrorType != "") {
		return &FunctionError{Type: p.ErrorType, Message: p.ErrorMessage}
	}
	return &FunctionError{Message: strings.TrimSpace(string(payload))}
}

// maxAnswer is the most a function may answer: Lambda's 6 MB limit on a
// synchronous response.
const maxAnswer = 6 << 20

// Endpoints invokes functions at HTTP endpoints of their own: the event is
// POSTed as JSON to the function's URL, a 2xx answer's body is the
// function's answer, and any other status is a function error whose
// message is the body's errorMessage (or the body). URLs maps a function's
// ARN, or its name (the part of the ARN after "function:"), to its URL.
// Functions it does not map go to Next; without Next they are not found.
type Endpoints struct {
	URLs   map[string]string
	Client *http.Client
	Next   Invoker
}

// URL returns the endpoint of a function, by ARN first, then by name.
func (e *Endpoints) URL(function string) (string, bool) {
	if u, ok := e.URLs[function]; ok {
		return u, true
	}
	u, ok := e.URLs[FunctionName(function)]
	return u, ok
}

// FunctionName is the name part of a function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]); a plain name
// is returned as it is.
func FunctionName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function" {
		return parts[6]
	}
	return arn
}

// ErrNoInvoker is the failure to invoke a function no endpoint serves.
var ErrNoInvoker = errors.New("ResourceNotFoundException")

// Invoke implements Invoker.
func (e *Endpoints) Invoke(ctx context.Context, function string, event []byte) ([]byte, error) {
	u, ok := e.URL(function)
	if !ok {
		if e.Next == nil {
			return nil, fmt.Errorf("no endpoint for function %s: %w", function, ErrNoInvoker)
		}
		return e.Next.Invoke(ctx, function, event)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := e.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("invoke %s: read answer: %w", function, err)
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("invoke %s: answer larger than %d bytes", function, maxAnswer)
	}
	if resp.StatusCode/100 != 2 {
		return nil, functionError(body)
	}
	return body, nil
}

// InvokeAsync implements Invoker: a function with an endpoint is POSTed
// to in the background (one attempt of DefaultTimeout, a failure logged);
// the rest go to Next.
func (e *Endpoints) InvokeAsync(ctx context.Context, function string, event []byte) error {
	if _, ok := e.URL(function); !ok {
		if e.Next == nil {
			return fmt.Errorf("no endpoint for function %s: %w", function, ErrNoInvoker)
		}
		return e.Next.InvokeAsync(ctx, function, event)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultTimeout)
		defer cancel()
		if _, err := e.Invoke(ctx, function, event); err != nil {
			slog.WarnContext(ctx, "asynchronous invocation failed", "function", function, "err", err)
		}
	}()
	return nil
}

// FunctionsFile is the file of per-function endpoints
// (--lambda-functions): YAML or JSON with one key, Functions, mapping
// function ARNs or names to URLs.
type FunctionsFile struct {
	Functions map[string]string `json:"Functions" yaml:"Functions"`
}

// ReadFunctions reads a FunctionsFile and checks its URLs.
func ReadFunctions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lambda functions file: %w", err)
	}
	var f FunctionsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("lambda functions file %s: %w", path, err)
	}
	if err := CheckFunctions(f.Functions); err != nil {
		return nil, fmt.Errorf("lambda functions file %s: %w", path, err)
	}
	return f.Functions, nil
}

// CheckFunctions reports every mapping whose URL is not http or https.
func CheckFunctions(m map[string]string) error {
	var errs []error
	for name, u := range m {
		if name == "" {
			errs = append(errs, errors.New("a function without a name"))
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			errs = append(errs, fmt.Errorf("function %s: URL %q is not http:// or https://", name, u))
		}
	}
	return errors.Join(errs...)
}
