package main

import (
	"io"
	"os"
)

// openInput opens the named file, or returns stdin for "-". The caller
// closes what it returns.
func openInput(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(name)
}
