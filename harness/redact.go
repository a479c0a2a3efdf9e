package harness

import "github.com/trafficsim/trafficsim/harness/redact"

// Redacted replaces every secret in logs and reports (see package redact,
// the one path every URL, header and body of a message goes through).
const Redacted = redact.Redacted

// RedactJSON returns a JSON body with the value of every sensitive key
// replaced by [REDACTED], at any depth; see redact.JSON.
func RedactJSON(b []byte) string { return redact.JSON(b) }

// redactURL hides the credentials of a URL, for messages and logs.
func redactURL(raw string) string { return redact.URL(raw) }

// redactError keeps an error's text but hides the credentials in it.
func redactError(err error) string { return redact.Error(err) }

// userAgents are real browsers' User-Agent strings; each user keeps one.
var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

var acceptLanguages = [...]string{"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.6", "fr-FR,fr;q=0.9,en;q=0.5", "es-ES,es;q=0.9", "ja-JP,ja;q=0.9,en;q=0.4"}
