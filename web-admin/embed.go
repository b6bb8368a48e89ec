// Package webadmin holds the built web admin (dist/, made by `npm run build`
// from src/ and committed), so the bureau binary serves it with no Node.js
// installed.
package webadmin

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Files is the built admin: index.html at the root, hashed files in assets/,
// each compressible one also as .gz and .br.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("web-admin: dist is missing from the embedded files: " + err.Error())
	}
	return sub
}
