package config

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite README.md's flag table from the option table")

// The README's flag table sits between these lines, made by flagTable.
const (
	tableStart = "<!-- The flag table is made from harness/config/options.go: go test ./harness/config -run TestREADME -update -->\n"
	tableEnd   = "<!-- end of the flag table -->\n"
)

// TestREADME_flagTable keeps the README's flag table the option table's:
// it fails when they differ, and -update rewrites the README's.
func TestREADME_flagTable(t *testing.T) {
	const path = "../../README.md"
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(b)
	before, rest, ok := strings.Cut(readme, tableStart)
	require.True(t, ok, "README.md lacks the line %q", tableStart)
	table, after, ok := strings.Cut(rest, tableEnd)
	require.True(t, ok, "README.md lacks the line %q", tableEnd)
	want := flagTable()
	if *update && table != want {
		require.NoError(t, os.WriteFile(path, []byte(before+tableStart+want+tableEnd+after), 0o644))
		return
	}
	assert.Equal(t, want, table, "README.md's flag table is not the option table's; run go test ./harness/config -run TestREADME -update")
}

// TestREADME_listsEveryFlag checks the table against the flags themselves:
// every flag RegisterFlags defines has a row, and every row names a flag.
func TestREADME_listsEveryFlag(t *testing.T) {
	rows := map[string]bool{}
	for _, line := range strings.Split(flagTable(), "\n") {
		if name, ok := strings.CutPrefix(line, "| `-"); ok {
			rows[name[:strings.IndexByte(name, '`')]] = true
		}
	}
	fs := flag.NewFlagSet("readme", flag.ContinueOnError)
	RegisterFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		assert.True(t, rows[f.Name], "the flag table lacks -%s", f.Name)
		delete(rows, f.Name)
	})
	assert.Empty(t, rows, "the flag table names flags that do not exist")
}
