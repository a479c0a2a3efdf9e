// Package routes holds what every part of trafficsim agrees on about route
// templates ("/api/users/{id}"): the budgets, the contract checker and
// whoever else compares two templates.
//
//	routes.Anonymous("/articles/{slug}/comments/{id}") // "/articles/{}/comments/{}"
package routes

import "strings"

// Anonymous writes every {name} of a route template as {}, so that two
// templates that differ only in their parameters' names compare equal:
// parameters match by position, as an API description's paths do
// ("GET /articles/{id}" is "GET /articles/{slug}"). An unclosed brace is
// kept as it is.
func Anonymous(template string) string {
	if strings.IndexByte(template, '{') < 0 {
		return template
	}
	var b strings.Builder
	b.Grow(len(template))
	for {
		open := strings.IndexByte(template, '{')
		if open < 0 {
			b.WriteString(template)
			break
		}
		end := strings.IndexByte(template[open:], '}')
		if end < 0 {
			b.WriteString(template)
			break
		}
		b.WriteString(template[:open])
		b.WriteString("{}")
		template = template[open+end+1:]
	}
	return b.String()
}
