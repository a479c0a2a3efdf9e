package contract

import (
	"context"
	"errors"
	"fmt"
	"github.com/trafficsim/trafficsim/harness/routes"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"sigs.k8s.io/yaml"

	"github.com/trafficsim/trafficsim/harness/outbound"
	redactpkg "github.com/trafficsim/trafficsim/harness/redact"
)

// Limits of loading a description.
const (
	// MaxDocumentBytes bounds an OpenAPI document read from a URL or a file:
	// a description larger than this is almost certainly the wrong URL.
	MaxDocumentBytes = 16 << 20
	// DefaultLoadTimeout bounds fetching a description when Load is given no
	// client and ctx has no deadline.
	DefaultLoadTimeout = 30 * time.Second
)

// Description is a loaded, validated OpenAPI document: its operations and a
// router that maps a real path back to its operation. It is read-only after
// Load and safe for concurrent use.
type Description struct {
	source string
	doc    *openapi3.T
	router routers.Router
	ops    []*operation   // sorted by name
	byKey  map[string]int // normalized "METHOD /path/{}" -> index in ops
}

// operation is one described operation.
type operation struct {
	name   string // "GET /api/users/{id}", as described
	method string
	path   string
	key    string // normalized: "GET /api/users/{}"
	op     *openapi3.Operation
	params openapi3.Parameters // path-level and operation-level, operation wins
}

// Load reads the OpenAPI document at src — an http(s) URL fetched with
// client (nil: a loopback-only client with DefaultLoadTimeout; pass
// harness.NewClient(cfg) for the run's settings), a file:// URL or a file
// path; JSON or YAML — validates
// it and builds its router. External $refs are not followed: the document
// must be self-contained (the form a service serves at /openapi.json).
// Errors start with "-openapi:" and name the source and the step that failed.
func Load(ctx context.Context, src string, client *http.Client) (*Description, error) {
	if src == "" {
		return nil, errors.New("-openapi: no source given (a URL or a file path)")
	}
	var (
		data []byte
		err  error
	)
	u, perr := url.Parse(src)
	switch {
	case perr == nil && (u.Scheme == "http" || u.Scheme == "https"):
		data, err = fetch(ctx, u, client)
	case perr == nil && u.Scheme == "file":
		data, err = readFile(u.Path)
	default:
		data, err = readFile(src)
	}
	if err != nil {
		return nil, err
	}
	return Parse(ctx, src, data)
}

// Parse is Load for a document already in memory (JSON or YAML); name says
// where it came from, in errors and in the summary's notes. OpenAPI 3.0 and
// 3.1 load as they are; a Swagger 2.0 document ("swagger": "2.0", as
// Alertmanager and Gitea publish) is converted to OpenAPI 3 first, so its
// operations, parameters and response schemas are checked the same way.
func Parse(ctx context.Context, name string, data []byte) (*Description, error) {
	shown := redactpkg.URL(name)
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = false
	var doc *openapi3.T
	var err error
	if isSwagger2(data) {
		doc, err = fromSwagger2(data)
	} else {
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, fmt.Errorf("-openapi: parse %s: %w", shown, err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("-openapi: validate %s: %w", shown, err)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, fmt.Errorf("-openapi: %s describes no paths", shown)
	}
	// Requests are named relative to the target, which already holds any
	// base path; the servers of the document (often another host) would
	// only keep the router from matching.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("-openapi: build router for %s: %w", shown, err)
	}
	d := &Description{source: shown, doc: doc, router: router, byKey: map[string]int{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			d.ops = append(d.ops, &operation{
				name:   method + " " + path,
				method: method,
				path:   path,
				key:    normalize(method, path),
				op:     op,
				params: mergeParams(item.Parameters, op.Parameters),
			})
		}
	}
	slices.SortFunc(d.ops, func(a, b *operation) int { return strings.Compare(a.name, b.name) })
	// Validate rejects equivalent paths ("/a/{x}" and "/a/{y}"), so keys
	// are unique.
	for i, o := range d.ops {
		d.byKey[o.key] = i
	}
	return d, nil
}

// Source is where the description came from (URL credentials redacted).
func (d *Description) Source() string { return d.source }

// Operations returns the described operations, "METHOD /path/{param}",
// sorted.
func (d *Description) Operations() []string {
	out := make([]string, len(d.ops))
	for i, o := range d.ops {
		out[i] = o.name
	}
	return out
}

// Document returns the parsed OpenAPI document, for callers that need more
// than the operation list. It must not be changed.
func (d *Description) Document() *openapi3.T { return d.doc }

// find returns the index of the operation a method and route template name,
// matching parameter names by position ({id} matches {userId}).
func (d *Description) find(method, route string) (int, bool) {
	i, ok := d.byKey[normalize(method, route)]
	return i, ok
}

// normalize returns "METHOD /path" with every {param} replaced by {}, so
// templates that differ only in parameter names compare equal.
func normalize(method, template string) string {
	return strings.ToUpper(method) + " " + routes.Anonymous(template)
}

// mergeParams returns the path item's parameters overridden by the
// operation's (same in and name).
func mergeParams(item, op openapi3.Parameters) openapi3.Parameters {
	out := slices.Clone(op)
	for _, p := range item {
		if p == nil || p.Value == nil {
			continue
		}
		if op.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			out = append(out, p)
		}
	}
	return out
}

// fetch GETs a description over HTTP.
func fetch(ctx context.Context, u *url.URL, client *http.Client) ([]byte, error) {
	shown := redactpkg.ParsedURL(u)
	if client == nil {
		// Guarded as every client of the harness: loopback only, each
		// redirect checked. A run's own is harness.NewClient(cfg).
		client = outbound.NewClient(outbound.Options{Timeout: DefaultLoadTimeout})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("-openapi: build request for %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the unredacted URL
		}
		return nil, fmt.Errorf("-openapi: fetch %s: %w", shown, redactpkg.Err(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("-openapi: fetch %s: status %d, want 200", shown, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("-openapi: read %s: %w", shown, err)
	}
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("-openapi: %s is larger than %d bytes", shown, MaxDocumentBytes)
	}
	return data, nil
}

// readFile reads a description from disk.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-openapi: open %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("-openapi: read %s: %w", path, err)
	}
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("-openapi: %s is larger than %d bytes", path, MaxDocumentBytes)
	}
	return data, nil
}

// isSwagger2 reports whether a document declares "swagger: 2.0".
func isSwagger2(data []byte) bool {
	var head struct {
		Swagger string `json:"swagger"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return false
	}
	return strings.HasPrefix(head.Swagger, "2")
}

// fromSwagger2 converts a Swagger 2.0 document (JSON or YAML) to OpenAPI 3
// with kin-openapi's openapi2conv, resolving its internal references.
func fromSwagger2(data []byte) (*openapi3.T, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("read Swagger 2.0 document: %w", err)
	}
	var doc2 openapi2.T
	if err := doc2.UnmarshalJSON(js); err != nil {
		return nil, fmt.Errorf("read Swagger 2.0 document: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert Swagger 2.0 to OpenAPI 3: %w", err)
	}
	return doc3, nil
}

// lists reports whether the operation's description lists status: as a
// code, as its range ("4XX") or through a default response.
func (o *operation) lists(status int) bool {
	if o.op.Responses == nil || status < 100 || status > 599 {
		return false
	}
	if o.op.Responses.Value(strconv.Itoa(status)) != nil {
		return true
	}
	if o.op.Responses.Value(strconv.Itoa(status/100)+"XX") != nil {
		return true
	}
	return o.op.Responses.Default() != nil
}

// statusList writes the statuses the operation's description lists, sorted.
func (o *operation) statusList() string {
	if o.op.Responses == nil {
		return "none"
	}
	keys := slices.Sorted(maps.Keys(o.op.Responses.Map()))
	return strings.Join(keys, ", ")
}
