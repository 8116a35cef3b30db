package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const statePets = `collections:
  - name: pets
    key: id
    list: listPets
    item: getPet
    items:
      - {id: 1, name: Rex, species: dog, status: available, created_at: "2024-01-15T10:30:00Z"}
`

// stateProject writes a project (the CRUD petstore, one collection named
// name) into a new folder and returns the folder.
func stateProject(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	spec, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "testdata", "crud-petstore.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	fx := strings.Replace(statePets, "name: pets", "name: "+name, 1)
	if err := os.WriteFile(filepath.Join(dir, "fixtures", name+".yaml"), []byte(fx), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// serveState runs decoy serve on dir with --state-file state and returns
// the base URL, the logs, and a stop function that returns run's error.
func serveState(t *testing.T, dir, state string) (string, *syncBuffer, func() error) {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet", "--state-file", state}, os.Stdout, logs)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, base+"/pets", func(s int, _ string) bool { return s == 200 })
	return base, logs, func() error { cancel(); return <-done }
}

func createPet(t *testing.T, base, name string) {
	t.Helper()
	resp, err := http.Post(base+"/pets", "application/json", strings.NewReader(`{"name":"`+name+`","species":"dog"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /pets: %d", resp.StatusCode)
	}
}

// TestSavingTheStateFileInTheProjectDoesNotReload is the regression test
// for a state file inside the watched folder reloading the project on
// every save (and so losing writes): saves do not reload, an edit still
// does.
func TestSavingTheStateFileInTheProjectDoesNotReload(t *testing.T) {
	dir := stateProject(t, "pets")
	state := filepath.Join(dir, "state.json")
	base, logs, stop := serveState(t, dir, state)
	for i := range 4 {
		createPet(t, base, fmt.Sprint("p", i))
		time.Sleep(stateDebounce + 2*debounce) // a save, then time for a reload it would start
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("the state was never saved: %v", err)
	}
	if strings.Contains(logs.String(), "reloaded") {
		t.Fatalf("saving the state file reloaded the project:\n%s", logs.String())
	}
	// The watcher still sees an edit of the project.
	spec := filepath.Join(dir, "openapi.yaml")
	b, _ := os.ReadFile(spec)
	saveByRename(t, spec, string(b)+"\n")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "reloaded") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "reloaded") {
		t.Fatalf("an edit of the spec did not reload:\n%s", logs.String())
	}
	createPet(t, base, "after")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(state)
	for _, name := range []string{"p0", "p3", "after"} {
		if !strings.Contains(string(saved), `"`+name+`"`) {
			t.Errorf("the state file lacks %s:\n%s", name, saved)
		}
	}
}

// TestAStateFileForAnotherProjectIsKept is the regression test for a
// state file wiped when the project renamed its collection (/pets became
// /animals): a warning names the collection at start, and at exit the file
// still holds its state, beside the new collection's.
func TestAStateFileForAnotherProjectIsKept(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	base, _, stop := serveState(t, stateProject(t, "pets"), state)
	createPet(t, base, "Polly")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(state)

	base, logs, stop := serveState(t, stateProject(t, "animals"), state)
	createPet(t, base, "Nemo")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if l := logs.String(); !strings.Contains(l, "does not have: pets") {
		t.Errorf("no warning names the collection the project lost:\n%s", l)
	}
	var b, a struct{ Collections map[string]json.RawMessage }
	after, _ := os.ReadFile(state)
	if json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil {
		t.Fatalf("not JSON:\n%s\n%s", before, after)
	}
	if a.Collections["pets"] == nil || !strings.Contains(string(a.Collections["pets"]), "Polly") {
		t.Errorf("the state of pets was not kept:\n%s", after)
	}
	if !strings.Contains(string(a.Collections["animals"]), "Nemo") {
		t.Errorf("the state of animals was not saved:\n%s", after)
	}
}

func TestOwnFilesAreTheStateAndReportFilesAndWhatIsWrittenBesideThem(t *testing.T) {
	dir := t.TempDir()
	var own ownFiles
	own.add(filepath.Join(dir, "state.json"))
	own.add(filepath.Join(dir, "sub", "..", "report.json")) // not clean
	own.add("")
	for name, want := range map[string]bool{
		"state.json":                          true,
		".state.json.tmp-123456":              true, // fixtures.SaveStateFile
		"state.json.corrupt-20261204T101010Z": true, // fixtures.LoadStateFile
		"report.json":                         true,
		".report.json.98765.tmp":              true, // writeFileAtomic
		"openapi.yaml":                        false,
		"state.json.yaml":                     false,
		"other.json":                          false,
	} {
		if got := own.has(filepath.Join(dir, name)); got != want {
			t.Errorf("has(%s) = %v, want %v", name, got, want)
		}
	}
	if own.has(filepath.Join(dir, "fixtures", "state.json")) {
		t.Error("a file of the same name in another folder is Decoy's")
	}
	// Relative to the current folder, as the flag may give it.
	wd, _ := os.Getwd()
	var rel ownFiles
	rel.add("state.json")
	if !rel.has(filepath.Join(wd, "state.json")) {
		t.Error("a relative --state-file is not recognised by its absolute name")
	}
}
