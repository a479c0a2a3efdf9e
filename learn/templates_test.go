package learn

import (
	"context"
	"fmt"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteSet_Infer(t *testing.T) {
	raws := []string{"",
		"GET /api/users/123",
		"GET /api/orders/7f9c2ba4-e88f-11ec-8ea0-0242ac120002",
		"GET /files/9f86d081884c7d659a2feaa0c55ad015",
		"GET /reset/eyJhbGciOiJIUzI1NiJ9xY12ab34",
		"GET /invite/ada@example.com",
		"GET /api/users/123/posts/9",
		"GET /health",
	}
	for i := range MaxLiteralValues + 1 {
		raws = append(raws, fmt.Sprintf("GET /u/name%c%c/profile", 'a'+i%26, 'a'+i/26))
	}
	got := newRouteSet(nil).templates(raws)
	assert.Equal(t, "GET /api/users/{id}", got[1])
	assert.Equal(t, "GET /api/orders/{uuid}", got[2])
	assert.Equal(t, "GET /files/{hash}", got[3])
	assert.Equal(t, "GET /reset/{token}", got[4])
	assert.Equal(t, "GET /invite/{email}", got[5])
	assert.Equal(t, "GET /api/users/{id}/posts/{id2}", got[6])
	assert.Equal(t, "GET /health", got[7])
	assert.Equal(t, "GET /u/{param}/profile", got[8], "more than MaxLiteralValues names under one prefix are a parameter")
}

func TestRouteSet_OpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
		"/api/users/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}}},
		"/api/users/me":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	got := newRouteSet(doc).templates([]string{"", "GET /api/users/me", "GET /api/users/alice", "GET /other/5"})
	assert.Equal(t, []string{"", "GET /api/users/me", "GET /api/users/{id}", "GET /other/{id}"}, got)
}
