package verify_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/internal/provider"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/verify"
)

// Verify a provider of the default API from a Go test: the provider here
// renames a field, and the report names the rule it breaks.
func ExampleRun() {
	p, _ := provider.New(provider.Options{Drift: provider.RenamedField})
	srv := httptest.NewServer(p)
	defer srv.Close()

	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		panic(err)
	}
	rep, err := verify.Run(context.Background(), verify.Config{
		Spec:        spec,
		Target:      srv.URL,
		Credentials: map[string]string{"bearerAuth": "sk_test"},
		Operations:  []string{"listAgentSessions"},
		Generated:   -1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("ok:", rep.OK())
	for _, e := range rep.Operations[0].Exchanges {
		if e.Failed() {
			fmt.Println(e.Case+":", e.Failures[0].Rule)
			break
		}
	}
	// Output:
	// ok: false
	// required parameters, first documented values: response body /sessions/0/agent_key: required (and at 9 more array indexes)
}
