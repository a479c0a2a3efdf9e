// Package routes holds what every part of trafficsim agrees on about route
// templates ("/api/users/{id}"): the budgets, the contract checker and
// whoever else compares two templates, and the requests that fill them.
//
//	routes.Anonymous("/articles/{slug}/comments/{id}") // "/articles/{}/comments/{}"
//	routes.Fill("/articles/{slug}", "a b")              // "/articles/a%20b"
package routes

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

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

// Fill replaces each {name} of the template with the next parameter,
// path-escaped: the path a request of that route goes to.
// Missing parameters leave the placeholder, which the target answers 404:
// that is the journey's bug to see, not a panic.
func Fill(route string, params ...any) string {
	if len(params) == 0 || !strings.Contains(route, "{") {
		return route
	}
	var b strings.Builder
	b.Grow(len(route) + 8)
	i := 0
	for {
		open := strings.IndexByte(route, '{')
		if open < 0 {
			b.WriteString(route)
			break
		}
		end := strings.IndexByte(route[open:], '}')
		if end < 0 || i >= len(params) {
			b.WriteString(route)
			break
		}
		b.WriteString(route[:open])
		b.WriteString(url.PathEscape(paramString(params[i])))
		i++
		route = route[open+end+1:]
	}
	return b.String()
}

func paramString(p any) string {
	switch v := p.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}
