package learn

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"
)

// harFile is the part of a HAR 1.2 recording that learning reads.
type harFile struct {
	Log struct {
		Entries []struct {
			Started string  `json:"startedDateTime"`
			Time    float64 `json:"time"` // ms
			Request struct {
				Method  string `json:"method"`
				URL     string `json:"url"`
				Headers []struct {
					Name, Value string
				} `json:"headers"`
			} `json:"request"`
			Response struct {
				Status int `json:"status"`
			} `json:"response"`
			ServerIPAddress string `json:"serverIPAddress"`
		} `json:"entries"`
	} `json:"log"`
}

// readHAR reads a HAR recording: one browser, so one client; its requests
// are split into sessions by the gap alone.
func readHAR(r io.Reader, l *Log) error {
	var h harFile
	if err := json.NewDecoder(io.LimitReader(r, 1<<30)).Decode(&h); err != nil {
		return fmt.Errorf("HAR: %w", err)
	}
	for _, he := range h.Log.Entries {
		l.Lines++
		t, err := time.Parse(time.RFC3339Nano, he.Started)
		u, uerr := url.Parse(he.Request.URL)
		if err != nil || uerr != nil || he.Request.Method == "" {
			l.Skipped++
			continue
		}
		e := Entry{Time: t, Duration: time.Duration(he.Time * float64(time.Millisecond)), Client: "har",
			Method: he.Request.Method, Target: u.RequestURI(), Status: he.Response.Status}
		for _, hd := range he.Request.Headers {
			if http2Canon(hd.Name) == "User-Agent" {
				e.UA = hd.Value
			}
		}
		l.Add(&e)
	}
	return nil
}

func http2Canon(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 32
		} else if !up && c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
		up = c == '-'
	}
	return string(b)
}
