package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// maxShown bounds each value quoted in a JSONEquals failure.
const maxShown = 80

// Status returns an assertion on a status that holds when it is one of
// codes.
func Status(codes ...int) func(status int) error {
	return func(status int) error {
		if slices.Contains(codes, status) {
			return nil
		}
		return fmt.Errorf("status %d, want one of %v", status, codes)
	}
}

// HasJSON returns an assertion on a body that holds when the JSON body has
// a value (not null) at path: field names separated by dots, array indexes
// as numbers ("data.items.0.id"); "" or "." is the whole document.
func HasJSON(path string) func(body []byte) error {
	return func(body []byte) error {
		v, err := jsonAt(body, path)
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("%s is null", path)
		}
		return nil
	}
}

// JSONEquals returns an assertion on a body that holds when the JSON
// body's value at path (see HasJSON) equals want, compared as JSON: 3
// equals 3.0, and a struct equals the object of its JSON form. want is
// encoded once, here; a value that cannot be encoded fails every answer.
func JSONEquals(path string, want any) func(body []byte) error {
	wantJSON, merr := json.Marshal(want)
	var norm any
	if merr == nil {
		merr = json.Unmarshal(wantJSON, &norm)
	}
	return func(body []byte) error {
		if merr != nil {
			return fmt.Errorf("encode wanted value of %s: %w", path, merr)
		}
		v, err := jsonAt(body, path)
		if err != nil {
			return err
		}
		got, _ := json.Marshal(v)
		norm2, _ := json.Marshal(norm)
		if bytes.Equal(got, norm2) {
			return nil
		}
		if sensitivePath(path) {
			return fmt.Errorf("%s is not the wanted value (%s)", path, redact.Redacted)
		}
		return fmt.Errorf("%s is %s, want %s", path, truncate(string(got), maxShown), truncate(string(norm2), maxShown))
	}
}

// Body returns an assertion on a body that holds when pred accepts it;
// what names the property in the failure ("mentions the user's email").
func Body(what string, pred func(body []byte) bool) func(body []byte) error {
	return func(body []byte) error {
		if pred(body) {
			return nil
		}
		return errors.New("body: not " + what)
	}
}

// jsonAt decodes body and returns the value at path ("" or "." for the
// whole document).
func jsonAt(body []byte, path string) (any, error) {
	if len(body) == 0 {
		return nil, errors.New("empty body, want JSON")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	if path == "" || path == "." {
		return v, nil
	}
	seen := ""
	for _, part := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[part]
			if !ok {
				return nil, fmt.Errorf("no field %s", joinPath(seen, part))
			}
			v = x
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("no element %s (array of %d)", joinPath(seen, part), len(t))
			}
			v = t[i]
		default:
			return nil, fmt.Errorf("no field %s: %s is not an object", joinPath(seen, part), cmpOrDot(seen))
		}
		seen = joinPath(seen, part)
	}
	return v, nil
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func cmpOrDot(s string) string {
	if s == "" {
		return "the body"
	}
	return s
}

// sensitivePath reports whether a path's last field names a secret.
func sensitivePath(path string) bool {
	parts := strings.Split(path, ".")
	return redact.SensitiveKey(parts[len(parts)-1])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
