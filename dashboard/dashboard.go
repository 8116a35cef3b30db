package dashboard

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// Files returns the dashboard's files: index.html, app.js, app.css and
// icon.svg.
func Files() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // "static" is embedded above: never happens
	}
	return sub
}
