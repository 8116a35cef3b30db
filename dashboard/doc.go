// Package dashboard holds Decoy's web dashboard: plain HTML, CSS and
// ES-module JavaScript, embedded in the binary, with no build step and
// nothing fetched from another site, so it works offline. The mock serves
// it under its admin prefix (GET /__decoy/, the files under
// /__decoy/ui/), behind the admin API's access rules; the page reads
// everything it shows from the admin API and the event stream of
// GET /__decoy/events.
package dashboard
