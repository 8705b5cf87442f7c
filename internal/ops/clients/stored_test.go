package clients

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cognate-idp/cognate/internal/golden"
	"github.com/cognate-idp/cognate/internal/model"
)

// The stored form of an app client's settings is the JSON of
// model.UserPoolClientType, a wire shape generated from the API model. This
// pins it as userpool's TestStoredPoolSettings pins the pool's: every member,
// filled, encodes to testdata/client-settings.golden, and that document
// decodes and encodes again to the same bytes.
func TestStoredClientSettings(t *testing.T) {
	var c model.UserPoolClientType
	golden.Fill(&c)
	doc, err := encode(&c)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, doc, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "client-settings", pretty.String()+"\n")

	var back model.UserPoolClientType
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatal(err)
	}
	again, err := encode(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, doc) {
		t.Errorf("the stored document does not survive decoding:\n%s\n%s", doc, again)
	}
}
