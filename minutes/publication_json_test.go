package minutes

import (
	"encoding/json"
	"testing"
)

// The public JSON is a contract: a round with no parent organization and a person with no
// position still carry both fields, empty.
func TestPublicResultsFieldsAlwaysPresent(t *testing.T) {
	b, err := json.Marshal(PublicResults{Persons: []PublicPerson{{Name: "Lò Văn Pọm"}}})
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Parent  *string `json:"parent_organization"`
		Persons []struct {
			Position *string `json:"position"`
		} `json:"persons"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if top.Parent == nil || len(top.Persons) != 1 || top.Persons[0].Position == nil {
		t.Errorf("empty fields left out: %s", b)
	}
}
