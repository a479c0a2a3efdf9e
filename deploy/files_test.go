package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
)

// readFile reads an embedded file.
func readFile(path string) ([]byte, error) {
	return fs.ReadFile(Files(), path)
}

// readOSFile reads a file of the deploy directory from disk.
func readOSFile(path string) ([]byte, error) {
	return os.ReadFile(filepath.FromSlash(path))
}
