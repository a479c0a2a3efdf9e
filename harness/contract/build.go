package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/trafficsim/trafficsim/harness"
)

// maxSampleDepth bounds the nesting of a body made up from a schema.
const maxSampleDepth = 6

// build makes the explorer's request for one operation.
func (e *explorer) build(vu *harness.VU, st *explorerState, o *operation) *harness.Request {
	var params []any
	for _, name := range pathParams(o.path) {
		params = append(params, e.pathValue(vu, st, o.params.GetByInAndName(openapi3.ParameterInPath, name)))
	}
	req := harness.NewRequest(o.method, o.path, params...)
	for _, ref := range o.params {
		p := ref.Value
		if p == nil || (p.In != openapi3.ParameterInQuery && p.In != openapi3.ParameterInHeader) {
			continue
		}
		v, ok := paramValue(p)
		if !ok {
			continue
		}
		if p.In == openapi3.ParameterInQuery {
			req.Param(p.Name, v)
		} else if !sensitiveKey(p.Name) {
			req.SetHeader(p.Name, v)
		}
	}
	if body, ok := requestBody(o.op); ok {
		req.JSON(st.uniqueEmails(vu, body))
	}
	return req.Expect(expectedStatuses(o.op)...)
}

// pathParams returns the names of a template's {params}, in order.
func pathParams(path string) []string {
	var names []string
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			return names
		}
		names = append(names, path[open+1:open+end])
		path = path[open+end+1:]
	}
}

// pathValue fills one path parameter: an id the user saw in its own
// answers, else one seen in the run, else the parameter's example.
func (e *explorer) pathValue(vu *harness.VU, st *explorerState, ref *openapi3.Parameter) any {
	numeric := ref == nil || ref.Schema == nil || ref.Schema.Value == nil ||
		ref.Schema.Value.Type.Is(openapi3.TypeInteger) || ref.Schema.Value.Type.Is(openapi3.TypeNumber) ||
		ref.Schema.Value.Type.IsEmpty()
	if numeric {
		if len(st.ownIDs) > 0 {
			return st.ownIDs[vu.Rand.IntN(len(st.ownIDs))]
		}
		if id, ok := e.c.ids.pick(vu.Rand); ok {
			return id
		}
	}
	if ref != nil {
		if v, ok := paramValue(ref); ok {
			return v
		}
	}
	return 1
}

// paramValue is a parameter's example, default or first allowed value as
// text; a required parameter with none of those gets a plain value of its
// type.
func paramValue(p *openapi3.Parameter) (string, bool) {
	if p.Example != nil {
		return text(p.Example), true
	}
	for _, k := range slices.Sorted(maps.Keys(p.Examples)) {
		if ex := p.Examples[k]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return text(ex.Value.Value), true
		}
	}
	if p.Schema == nil || p.Schema.Value == nil {
		return "", false
	}
	s := p.Schema.Value
	switch {
	case s.Example != nil:
		return text(s.Example), true
	case s.Default != nil:
		return text(s.Default), true
	case !p.Required:
		return "", false
	}
	return text(sampleValue(s, 0)), true
}

// text writes a JSON value as a parameter: numbers without exponent,
// strings as they are, anything else as JSON.
func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// requestBody returns a fresh copy of the JSON body an operation's
// description gives as its example, or one made up from its schema.
func requestBody(op *openapi3.Operation) (any, bool) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, false
	}
	var mt *openapi3.MediaType
	for _, name := range slices.Sorted(maps.Keys(op.RequestBody.Value.Content)) {
		if base, _, _ := strings.Cut(name, ";"); base == "application/json" || strings.HasSuffix(base, "+json") {
			mt = op.RequestBody.Value.Content[name]
			break
		}
	}
	if mt == nil {
		return nil, false
	}
	var v any
	switch {
	case mt.Example != nil:
		v = mt.Example
	case len(mt.Examples) > 0:
		for _, k := range slices.Sorted(maps.Keys(mt.Examples)) {
			if ex := mt.Examples[k]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
				v = ex.Value.Value
				break
			}
		}
	}
	if v == nil && mt.Schema != nil && mt.Schema.Value != nil {
		v = sampleValue(mt.Schema.Value, 0)
	}
	if v == nil {
		return nil, false
	}
	// A deep copy: the document's example is shared by every user.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false
	}
	return out, true
}

// sampleValue makes up a value a schema accepts, from its examples and
// defaults where it has them and the plainest value of its type elsewhere.
func sampleValue(s *openapi3.Schema, depth int) any {
	switch {
	case s == nil || depth > maxSampleDepth:
		return nil
	case s.Example != nil:
		return s.Example
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.OneOf) > 0 && s.OneOf[0].Value != nil:
		return sampleValue(s.OneOf[0].Value, depth+1)
	case len(s.AnyOf) > 0 && s.AnyOf[0].Value != nil:
		return sampleValue(s.AnyOf[0].Value, depth+1)
	case len(s.AllOf) > 0:
		merged := map[string]any{}
		for _, sub := range s.AllOf {
			if m, ok := sampleValue(sub.Value, depth+1).(map[string]any); ok {
				maps.Copy(merged, m)
			}
		}
		return merged
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0:
		out := map[string]any{}
		names := s.Required
		if len(names) == 0 {
			names = slices.Sorted(maps.Keys(s.Properties))
		}
		for _, name := range names {
			if p := s.Properties[name]; p != nil {
				out[name] = sampleValue(p.Value, depth+1)
			}
		}
		return out
	case s.Type.Is(openapi3.TypeArray):
		var item any
		if s.Items != nil {
			item = sampleValue(s.Items.Value, depth+1)
		}
		return []any{item}
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		if s.Min != nil {
			return *s.Min
		}
		return 1.0
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeString):
		return sampleString(s)
	}
	return nil
}

// sampleString is a plain string of a schema's format and minimum length.
func sampleString(s *openapi3.Schema) string {
	switch s.Format {
	case "email":
		return "explorer@example.com"
	case "date-time":
		return "2026-01-02T03:04:05Z"
	case "date":
		return "2026-01-02"
	case "uri", "url":
		return "https://example.com/"
	case "uuid":
		return "00000000-0000-4000-8000-000000000000"
	}
	return strings.Repeat("x", int(max(s.MinLength, 1)))
}

// expectedStatuses are the described statuses below 500: the answers that
// count as the expected one for an exploring request.
func expectedStatuses(op *openapi3.Operation) []int {
	var codes []int
	for key := range op.Responses.Map() {
		switch {
		case key == "default":
			for c := 200; c < 500; c++ {
				codes = append(codes, c)
			}
		case len(key) == 3 && (key[1] == 'X' || key[1] == 'x'):
			if d := int(key[0] - '0'); d >= 1 && d <= 4 {
				for c := d * 100; c < d*100+100; c++ {
					codes = append(codes, c)
				}
			}
		default:
			if c, err := strconv.Atoi(key); err == nil && c < 500 {
				codes = append(codes, c)
			}
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// uniqueEmails replaces, at any depth, every string value of a key naming
// an email with an address unique to this user and run (VU.Email carries
// the run id, so cleanup finds what the explorer created).
func (st *explorerState) uniqueEmails(vu *harness.VU, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) { // numbered in a stable order
			x := t[k]
			if s, ok := x.(string); ok && strings.Contains(strings.ToLower(k), "email") && strings.Contains(s, "@") {
				t[k] = vu.Email("x" + strconv.Itoa(st.emails))
				st.emails++
				continue
			}
			t[k] = st.uniqueEmails(vu, x)
		}
	case []any:
		for i, x := range t {
			t[i] = st.uniqueEmails(vu, x)
		}
	}
	return v
}
