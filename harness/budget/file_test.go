package budget

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFile(t *testing.T) {
	bs, err := ParseFile(filepath.Join("testdata", "budgets.yaml"))
	require.NoError(t, err)
	var got []string
	for _, b := range bs {
		got = append(got, b.String())
	}
	assert.Equal(t, []string{
		"p95(POST /api/auth/login) < 150ms",
		"p99(GET /api/users/*) < 300ms",
		"p95(archetype=admin) < 300ms",
		"error_rate < 1%",
		"error_rate(GET /api/users*) < 0.5%",
		"heap_per_vu < 8KiB",
		"goroutine_leaks == 0",
		"coverage >= 100%",
		"violations == 0",
		"rps > 50 abort",
		"errors < 100 abort",
	}, got)
	assert.True(t, bs[9].Abort, "abort: true in the mapping form")
}

func TestParseFile_missing(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "read budget file: ")
}

func TestParseYAML(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"strings", "budgets:\n  - p95 < 1s\n  - error_rate < 1%\n", []string{"p95 < 1s", "error_rate < 1%"}},
		{"quoted", "budgets:\n  - \"p95(GET /x) < 1s\"\n  - 'rps > 5 abort'\n", []string{"p95(GET /x) < 1s", "rps > 5 abort"}},
		{"mapping without abort", "budgets:\n  - expr: rps > 5\n", []string{"rps > 5"}},
		{"abort false", "budgets:\n  - expr: rps > 5\n    abort: false\n", []string{"rps > 5"}},
		{"abort in both places", "budgets:\n  - expr: rps > 5 abort\n    abort: true\n", []string{"rps > 5 abort"}},
		{"flow style", "budgets: [p95 < 1s, {expr: dropped == 0, abort: true}]\n", []string{"p95 < 1s", "dropped == 0 abort"}},
		{"anchors and aliases", "x: &b p95 < 1s\nbudgets:\n  - *b\n", nil},
		{"alias item", "budgets:\n  - &b p95 < 1s\n  - *b\n", []string{"p95 < 1s", "p95 < 1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs, err := ParseYAML("b.yaml", []byte(tt.yaml))
			if tt.want == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, b := range bs {
				got = append(got, b.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseYAML_errors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"bad expression names file and line",
			"budgets:\n  - p95 < 1s\n  # comment\n  - p95(GET /x) < 15\n",
			`b.yaml:4: budget "p95(GET /x) < 15": column 15: expected a duration unit (ns, us, ms, s, m or h) after 15`},
		{"every bad item is reported",
			"budgets:\n  - p95 < 1\n  - rps > 5\n  - erors < 1\n",
			`b.yaml:2: budget "p95 < 1": column 7: expected a duration unit (ns, us, ms, s, m or h) after 1` + "\n" +
				`b.yaml:4: budget "erors < 1": column 1: unknown metric "erors" (did you mean errors?); known: ` + knownMetrics},
		{"bad expr in a mapping",
			"budgets:\n  - expr: rps > 5\n    abort: true\n  -\n    expr: rps < 5\n",
			`b.yaml:5: budget "rps < 5": column 5: rps takes > or >=, got <`},
		{"YAML syntax error",
			"budgets:\n  - p95 < 1s\n - error_rate < 1%\n",
			`b.yaml:3: YAML: did not find expected key`},
		{"tab indentation",
			"budgets:\n\t- p95 < 1s\n",
			`b.yaml:2: YAML: found character that cannot start any token`},
		{"unknown top-level key",
			"budgets:\n  - p95 < 1s\nbudget:\n  - rps > 1\n",
			`b.yaml:3: unknown key "budget"; the file holds one key, budgets`},
		{"unknown item key",
			"budgets:\n  - expr: rps > 5\n    abrot: true\n",
			`b.yaml:3: unknown key "abrot" in a budget item; known keys: expr, abort`},
		{"item without expr", "budgets:\n  - abort: true\n", `b.yaml:2: budget item has no expr`},
		{"abort not a bool", "budgets:\n  - expr: rps > 5\n    abort: yes please\n", `b.yaml:3: abort: expected true or false, got "yes please"`},
		{"abort contradicts the expression", "budgets:\n  - expr: rps > 5 abort\n    abort: false\n",
			`b.yaml:3: abort: false contradicts the "abort" at the end of the expression`},
		{"abort on a final metric", "budgets:\n  - expr: coverage >= 90%\n    abort: true\n",
			`b.yaml:3: abort: true: coverage is only known when the run ends, so it cannot abort a run; remove "abort"`},
		{"expr is a list", "budgets:\n  - expr: [p95 < 1s]\n", `b.yaml:2: expr: expected a budget expression, got a list`},
		{"empty item", "budgets:\n  - p95 < 1s\n  -\n", `b.yaml:3: empty budget item`},
		{"nested list item", "budgets:\n  - [p95 < 1s]\n", `b.yaml:2: expected a budget expression or a mapping with expr and abort, got a list`},
		{"empty file", "", `b.yaml: empty budget file; expected a "budgets:" list`},
		{"only a comment", "# nothing\n", `b.yaml: empty budget file; expected a "budgets:" list`},
		{"not a mapping", "- p95 < 1s\n", `b.yaml:1: expected a mapping with a "budgets:" list, got a list`},
		{"budgets missing", "{}\n", `b.yaml:1: no "budgets:" list`},
		{"budgets empty", "budgets:\n", `b.yaml:1: budgets: expected a list of budget expressions, got nothing`},
		{"budgets an empty list", "budgets: []\n", `b.yaml:1: budgets: the list is empty`},
		{"budgets a string", "budgets: p95 < 1s\n", `b.yaml:1: budgets: expected a list of budget expressions, got "p95 < 1s"`},
		{"duplicate key", "budgets: [p95 < 1s]\nbudgets: [rps > 1]\n", `b.yaml:2: budgets is given twice (first at line 1)`},
		{"duplicate item key", "budgets:\n  - expr: rps > 1\n    expr: rps > 2\n", `b.yaml:3: expr is given twice in a budget item (first at line 2)`},
		{"unclosed quote", "budgets:\n  - \"p95 < 1s\n  - rps > 1\n", `b.yaml:2: YAML: found unexpected end of stream`},
		{"unclosed flow mapping", "budgets:\n  - p95 < 1s\n  - {expr: rps > 1\n  - b\n", `b.yaml:3: YAML: did not find expected ',' or '}'`},
		{"scanner error", "budgets:\n  - a\n  - b\n  c\n", `b.yaml:4: YAML: could not find expected ':'`},
		{"unknown alias", "budgets:\n  - p95 < 1s\n  - *nothing\n", `b.yaml:3: YAML: unknown anchor 'nothing' referenced`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs, err := ParseYAML("b.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Nil(t, bs)
			assert.Equal(t, tt.want, err.Error())
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "b.yaml", pe.File)
		})
	}
}

func TestParseFile_lineOfExpression(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budgets.yaml")
	content := "budgets:\n  - p95 < 1s\n  - error_rate < 1%\n\n  - expr: heap_peak < 1 GB\n  - expr: heap_peak < 1 GZ\n    abort: true\n"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	_, err := ParseFile(path)
	require.Error(t, err)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, path, pe.File)
	assert.Equal(t, 6, pe.Line)
	assert.Equal(t, 13, pe.Column)
	assert.Equal(t, path+`:6: budget "heap_peak < 1 GZ": column 13: expected a size unit (B, KiB, MiB, GiB, KB, MB, GB) after 1`, err.Error())
}

func TestLoad_fileThenFlagsEveryProblemAtOnce(t *testing.T) {
	bs, err := Load(filepath.Join("testdata", "budgets.yaml"), []string{"rps > 1"})
	require.NoError(t, err)
	require.Len(t, bs, 12)
	assert.Equal(t, "rps > 1", bs[11].String(), "the -budget expressions come after the file's")

	bs, err = Load("", nil)
	require.NoError(t, err)
	assert.Empty(t, bs)

	_, err = Load(filepath.Join(t.TempDir(), "none.yaml"), []string{"p95( < 1s"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-budgets: read budget file")
	assert.Contains(t, err.Error(), "-budget: ", "both flags' problems in one error")
}
