package learn

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxSampleDepth bounds the nesting of a body made up from a schema.
const maxSampleDepth = 6

// operation finds a template's operation in an API description.
func operation(api *openapi3.T, template string) *openapi3.Operation {
	if api == nil || api.Paths == nil {
		return nil
	}
	method, path, _ := strings.Cut(template, " ")
	item := api.Paths.Find(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

// bodySchema is the JSON request body schema of an operation.
func bodySchema(op *openapi3.Operation) *openapi3.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(op.RequestBody.Value.Content)) {
		if base, _, _ := strings.Cut(name, ";"); base == "application/json" || strings.HasSuffix(base, "+json") {
			if mt := op.RequestBody.Value.Content[name]; mt.Schema != nil {
				return mt.Schema.Value
			}
		}
	}
	return nil
}

// anonymous reports an operation whose description needs no credentials.
func anonymous(op *openapi3.Operation) bool {
	return op != nil && op.Security != nil && len(*op.Security) == 0
}

// sample builds a value the schema accepts. Fields the user owns are
// filled from its state by name: email, password, old and new password,
// refresh token, name; the rest from the schema's examples, defaults,
// enums and types.
func sample(s *openapi3.Schema, name string, st *State, depth int) any {
	if s == nil || depth > maxSampleDepth {
		return nil
	}
	switch strings.ToLower(name) {
	case "email":
		return st.Email
	case "password", "old_password", "current_password":
		return st.Password
	case "new_password":
		st.pendingPassword = st.Password + "n"
		return st.pendingPassword
	case "refresh_token":
		return st.Refresh
	case "name":
		if s.Type.Is(openapi3.TypeString) {
			return st.Name
		}
	}
	if ex, ok := s.Example.(map[string]any); ok {
		// The description's example, with the fields the user owns filled
		// from its state.
		out := make(map[string]any, len(ex))
		for k, v := range ex {
			out[k] = v
			if p := s.Properties[k]; p != nil && p.Value != nil && owned(k) {
				out[k] = sample(p.Value, k, st, depth+1)
			}
		}
		return out
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0:
		out := map[string]any{}
		names := s.Required
		if len(names) == 0 {
			names = slices.Sorted(maps.Keys(s.Properties))
		}
		for _, n := range names {
			if p := s.Properties[n]; p != nil {
				out[n] = sample(p.Value, n, st, depth+1)
			}
		}
		return out
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Example != nil:
		return s.Example
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil {
			return []any{}
		}
		if strings.HasSuffix(strings.ToLower(name), "ids") && st.UserID != "" {
			return []any{st.idNumber()}
		}
		return []any{sample(s.Items.Value, strings.TrimSuffix(name, "s"), st, depth+1)}
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeString):
		switch s.Format {
		case "email":
			return st.Email
		case "date-time":
			return "2026-01-02T03:04:05Z"
		case "uri", "url":
			return "https://example.com/"
		}
		return strings.Repeat("x", int(max(s.MinLength, 1)))
	}
	return nil
}

// owned names the body fields filled from the user's state.
func owned(name string) bool {
	switch strings.ToLower(name) {
	case "email", "password", "old_password", "current_password", "new_password", "refresh_token", "name":
		return true
	}
	return false
}

// queryValue is a value for a query parameter from its description: its
// default, example, first enum value or minimum; "1" for a number, "true"
// for a boolean. A free-text parameter (a search) has no value to make up —
// the model keeps keys, never values — so it is left out (false), unless
// Hooks.Query supplies one: "1" as a search term could match every record.
func queryValue(op *openapi3.Operation, key string) (string, bool) {
	if op == nil {
		return "", false
	}
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != "query" || p.Value.Name != key || p.Value.Schema == nil || p.Value.Schema.Value == nil {
			continue
		}
		s := p.Value.Schema.Value
		switch {
		case s.Default != nil:
			return textOf(s.Default), true
		case p.Value.Example != nil:
			return textOf(p.Value.Example), true
		case s.Example != nil:
			return textOf(s.Example), true
		case len(s.Enum) > 0:
			return textOf(s.Enum[0]), true
		case s.Min != nil:
			return textOf(*s.Min), true
		case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
			return "1", true
		case s.Type.Is(openapi3.TypeBoolean):
			return "true", true
		}
	}
	return "", false
}
