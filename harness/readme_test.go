package harness

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADME_listsEveryFlag keeps the README's flag table true: every flag
// RegisterFlags defines has a row, and every row names a real flag.
func TestREADME_listsEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	rows := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `-") {
			name := strings.TrimPrefix(line, "| `-")
			rows[name[:strings.IndexByte(name, '`')]] = true
		}
	}
	fs := flag.NewFlagSet("readme", flag.ContinueOnError)
	RegisterFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		assert.True(t, rows[f.Name], "README's flag table lacks -%s", f.Name)
		delete(rows, f.Name)
	})
	assert.Empty(t, rows, "README's flag table names flags that do not exist")
}
