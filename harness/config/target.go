package config

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// checkTarget accepts an absolute http(s) base URL. Whether its host may
// be remote is the rule remoteNeedsAllowRemote's.
func checkTarget(target string) error {
	shown := redact.URL(target) // the URL may carry a password
	u, err := url.Parse(target)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the raw URL
		}
		return fmt.Errorf("%q is not a URL: %w", shown, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", shown)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be a base URL without query or fragment", shown)
	}
	return nil
}

// checkPushgateway accepts an http(s) URL with a host.
func checkPushgateway(raw string) error {
	if _, ok := httpHost(raw); !ok {
		return fmt.Errorf("%q is not an http(s) URL with a host", redact.URL(raw))
	}
	return nil
}

// httpHost is the host of an http(s) URL with one.
func httpHost(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", false
	}
	return u.Hostname(), true
}

// checkRunID accepts the ids that fit a Pushgateway grouping key and a
// folder name.
func checkRunID(id string) error {
	bad := len(id) > 48
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("%q may hold only letters, digits, '-' and '_' (at most 48)", id)
	}
	return nil
}
