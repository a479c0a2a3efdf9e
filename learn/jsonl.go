package learn

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Fields names the fields of a JSON-lines log. Duration's unit comes from
// its name: a suffix _ns, _us, _ms or _s (seconds, also without suffix).
// Time is RFC 3339 or a number of Unix seconds.
type Fields struct {
	Time, Client, User, Method, Path, Status, Duration, UA string
	// Session, when set, names a field that keys sessions (a cookie or a
	// token hash); its values are used to group requests, never stored.
	Session string
}

// DefaultFields are the names the reference service's JSON access log uses.
var DefaultFields = Fields{
	Time: "time", Client: "client", User: "user", Method: "method", Path: "path",
	Status: "status", Duration: "duration_us", UA: "ua",
}

// ParseFields reads "time=ts,user=uid,session=cookie_sid" into Fields on
// top of DefaultFields; each name must be one of the Fields.
func ParseFields(s string) (Fields, error) {
	f := DefaultFields
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return Fields{}, fmt.Errorf("-fields: %q: want NAME=FIELD", part)
		}
		switch k {
		case "time":
			f.Time = v
		case "client":
			f.Client = v
		case "user":
			f.User = v
		case "method":
			f.Method = v
		case "path":
			f.Path = v
		case "status":
			f.Status = v
		case "duration":
			f.Duration = v
		case "ua":
			f.UA = v
		case "session":
			f.Session = v
		default:
			return Fields{}, fmt.Errorf("-fields: unknown name %q (want time, client, user, method, path, status, duration, ua or session)", k)
		}
	}
	return f, nil
}

type jsonParser struct {
	f    Fields
	unit time.Duration
}

func newJSONParser(f Fields) (*jsonParser, error) {
	d := DefaultFields
	if f.Time == "" {
		f.Time = d.Time
	}
	if f.Client == "" {
		f.Client = d.Client
	}
	if f.User == "" {
		f.User = d.User
	}
	if f.Method == "" {
		f.Method = d.Method
	}
	if f.Path == "" {
		f.Path = d.Path
	}
	if f.Status == "" {
		f.Status = d.Status
	}
	if f.Duration == "" {
		f.Duration = d.Duration
	}
	if f.UA == "" {
		f.UA = d.UA
	}
	unit := time.Second
	switch {
	case strings.HasSuffix(f.Duration, "_ns"):
		unit = time.Nanosecond
	case strings.HasSuffix(f.Duration, "_us"):
		unit = time.Microsecond
	case strings.HasSuffix(f.Duration, "_ms"):
		unit = time.Millisecond
	}
	return &jsonParser{f: f, unit: unit}, nil
}

func (p *jsonParser) parse(line []byte, e *Entry) bool {
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return false
	}
	t, ok := jsonTime(m[p.f.Time])
	if !ok {
		return false
	}
	e.Time = t
	e.Method, _ = m[p.f.Method].(string)
	e.Target, _ = m[p.f.Path].(string)
	if e.Method == "" || e.Target == "" {
		return false
	}
	switch s := m[p.f.Status].(type) {
	case float64:
		e.Status = int(s)
	case string:
		e.Status, _ = strconv.Atoi(s)
	}
	if d, ok := m[p.f.Duration].(float64); ok && d > 0 && !math.IsInf(d, 0) {
		e.Duration = time.Duration(d * float64(p.unit))
	}
	e.Client = text(m[p.f.Client])
	e.User = text(m[p.f.User])
	e.UA = text(m[p.f.UA])
	if p.f.Session != "" {
		e.Key = text(m[p.f.Session])
	}
	return true
}

// text is a field as a string: numbers (user ids) included.
func text(v any) string {
	switch v := v.(type) {
	case string:
		if v == "-" {
			return ""
		}
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func jsonTime(v any) (time.Time, bool) {
	switch v := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			if t, err = time.Parse(combinedTime, v); err != nil {
				return time.Time{}, false
			}
		}
		return t, true
	case float64:
		if v <= 0 || v > 1e11 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(v)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	return time.Time{}, false
}
