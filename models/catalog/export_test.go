package catalog

// Test hooks for the external tests of this package.

// SetInlineCompress changes the size above which LoadAll compresses in the
// background (0: always in the background).
func SetInlineCompress(c *Catalog, bytes int) { c.inlineCompress = bytes }

// WaitCompressed waits for the last LoadAll's documents to be compressed.
func WaitCompressed(c *Catalog) { <-c.compressing }
