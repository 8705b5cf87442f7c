package seal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecret(t *testing.T) {
	const password = "hunter2-Pässwörd"
	s := Secret(password)
	type form struct {
		User     string
		Password Secret
	}

	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "password", s, "form", form{"alice", s})
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", slog.Any("password", s), "ptr", &s)
	jsonOut, err := json.Marshal(map[string]any{"s": s, "form": form{"alice", s}, "ptr": &s})
	if err != nil {
		t.Fatal(err)
	}

	outputs := map[string]string{"slog": logs.String(), "json": string(jsonOut)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs["fmt "+verb] = fmt.Sprintf(verb, s)
		outputs["fmt "+verb+" in struct"] = fmt.Sprintf(verb, form{"alice", s})
	}
	outputs["Sprint"] = fmt.Sprint(s, &s)
	for name, out := range outputs {
		for _, leak := range []string{password, fmt.Sprintf("%x", password), "hunter"} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(leak)) {
				t.Errorf("%s reveals the secret: %s", name, out)
			}
		}
	}
	if got := outputs["fmt %v"]; got != redacted {
		t.Errorf("%%v = %q, want %q", got, redacted)
	}
	if got := outputs["json"]; got != `{"form":{"User":"alice","Password":"[redacted]"},"ptr":"[redacted]","s":"[redacted]"}` {
		t.Errorf("json = %s", got)
	}
	if got := string(s); got != password {
		t.Errorf("string(s) = %q, want the value", got)
	}
}
