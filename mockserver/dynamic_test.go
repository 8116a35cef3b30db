package mockserver_test

import (
	"bytes"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
)

// TestConfigDynamic: Config.Dynamic answers as a request's Prefer:
// dynamic=true does (generated data, neither the example nor the
// fixtures), without claiming a preference the client never sent; a
// request's own dynamic=false still wins.
func TestConfigDynamic(t *testing.T) {
	const v2 = "/v2/agents/agt_customer_support/sessions"
	withFixtures := func(c *mockserver.Config) {
		store, err := fixtures.LoadStore(defaultapi.FS, "fixtures", c.Spec, fixtures.StoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c.Fixtures = store
	}
	dynamic := func(c *mockserver.Config) { c.Dynamic = true }
	for _, tc := range []struct {
		name  string
		setup []func(*mockserver.Config)
	}{
		{"spec alone", nil},
		{"with fixtures", []func(*mockserver.Config){withFixtures}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, _ := newServer(t, "default", tc.setup...)
			dyn, _ := newServer(t, "default", append(tc.setup, dynamic)...)

			static := do(t, plain, call{method: "GET", path: v2, header: authV2})
			asked := do(t, plain, call{method: "GET", path: v2, header: with(authV2, "Prefer", "dynamic=true")})
			got := do(t, dyn, call{method: "GET", path: v2, header: authV2})
			if got.status != 200 || asked.status != 200 || static.status != 200 {
				t.Fatalf("statuses %d, %d, %d; want 200", got.status, asked.status, static.status)
			}
			if bytes.Equal(got.body, static.body) {
				t.Errorf("Dynamic answered what a server without it answers:\n%s", got.body)
			}
			if !bytes.Equal(got.body, asked.body) {
				t.Errorf("Dynamic answered\n%s\nPrefer: dynamic=true answered\n%s", got.body, asked.body)
			}
			if pa := got.header.Get("Preference-Applied"); pa != "" {
				t.Errorf("Preference-Applied %q for a request that sent no Prefer", pa)
			}

			own := do(t, dyn, call{method: "GET", path: v2, header: with(authV2, "Prefer", "dynamic=false")})
			if !bytes.Equal(own.body, static.body) {
				t.Errorf("Prefer: dynamic=false under Dynamic answered\n%s\nwant\n%s", own.body, static.body)
			}
			if pa := own.header.Get("Preference-Applied"); pa != "dynamic=false" {
				t.Errorf("Preference-Applied %q, want dynamic=false", pa)
			}
		})
	}
}
