package learn

import (
	"bytes"
	"strconv"
	"time"
)

// combinedTime is the clock of the Combined Log Format.
const combinedTime = "02/Jan/2006:15:04:05 -0700"

// parseCombined reads one Combined (or Common) Log Format line:
//
//	host ident user [time] "METHOD target PROTO" status bytes "referer" "agent"
//
// Fields after the agent (a request time, as nginx can log) are ignored.
func parseCombined(line []byte, e *Entry) bool {
	host, rest, ok := field(line)
	if !ok {
		return false
	}
	_, rest, ok = field(rest) // ident
	if !ok {
		return false
	}
	user, rest, ok := field(rest)
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '[' {
		return false
	}
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return false
	}
	t, err := time.Parse(combinedTime, string(rest[1:end]))
	if err != nil {
		return false
	}
	rest = bytes.TrimLeft(rest[end+1:], " ")
	req, rest, ok := quoted(rest)
	if !ok {
		return false
	}
	method, target, ok := bytes.Cut(req, []byte(" "))
	if !ok {
		return false
	}
	if i := bytes.LastIndexByte(target, ' '); i >= 0 {
		target = target[:i] // the protocol
	}
	statusField, rest, ok := field(rest)
	if !ok {
		return false
	}
	status, err := strconv.Atoi(string(statusField))
	if err != nil {
		return false
	}
	_, rest, _ = field(rest) // bytes
	rest = bytes.TrimLeft(rest, " ")
	var ua []byte
	if _, r2, ok := quoted(rest); ok { // referer
		if a, _, ok := quoted(bytes.TrimLeft(r2, " ")); ok {
			ua = a
		}
	}
	e.Time = t
	e.Client = string(host)
	if !bytes.Equal(user, []byte("-")) {
		e.User = string(user)
	}
	e.Method = string(method)
	e.Target = string(target)
	e.Status = status
	if !bytes.Equal(ua, []byte("-")) {
		e.UA = string(ua)
	}
	return true
}

// field returns the next space-separated field.
func field(b []byte) (f, rest []byte, ok bool) {
	b = bytes.TrimLeft(b, " ")
	if len(b) == 0 {
		return nil, nil, false
	}
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil, true
	}
	return b[:i], b[i+1:], true
}

// quoted returns the contents of a leading "…" field; escaped quotes (\")
// stay inside it.
func quoted(b []byte) (q, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[1:i], b[i+1:], true
		}
	}
	return nil, nil, false
}
