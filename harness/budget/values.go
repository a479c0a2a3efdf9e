package budget

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units a latency limit may be written in.
const durationUnits = "ns, us, ms, s, m or h"

// sizeUnit returns the size in bytes of a unit a memory limit may be
// written in, matched without regard to case.
func sizeUnit(unit string) (float64, bool) {
	switch strings.ToLower(unit) {
	case "b":
		return 1, true
	case "kb":
		return 1e3, true
	case "mb":
		return 1e6, true
	case "gb":
		return 1e9, true
	case "tb":
		return 1e12, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	case "tib":
		return 1 << 40, true
	}
	return 0, false
}

// limit is a parsed limit: value in the unit Evaluate reports, the exact
// duration of a latency limit, and the canonical text.
type limit struct {
	value float64
	dur   time.Duration
	text  string
}

// parseLimit parses the limit of a metric of kind k. Its errors are
// messages without a position; the parser adds the column.
func parseLimit(k valueKind, tok string) (limit, error) {
	switch k {
	case kindDuration:
		return parseDurationLimit(tok)
	case kindRatio:
		return parseRatioLimit(tok)
	case kindCount:
		if !isInteger(tok) {
			return limit{}, fmt.Errorf("expected a whole number, got %q", tok)
		}
		n, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			return limit{}, fmt.Errorf("number %q is too large", tok)
		}
		return limit{value: float64(n), text: strconv.FormatInt(n, 10)}, nil
	case kindRate:
		num, found := strings.CutSuffix(tok, "req/s")
		if !found {
			num = strings.TrimSuffix(tok, "/s")
		}
		v, err := parseDecimal(num)
		if err != nil {
			return limit{}, fmt.Errorf("expected requests per second like 200 or 12.5, got %q", tok)
		}
		return limit{value: v, text: strconv.FormatFloat(v, 'f', -1, 64)}, nil
	case kindBytes:
		return parseSizeLimit(tok)
	}
	return limit{}, errors.New("metric takes no limit")
}

// parseDurationLimit parses "150ms", "1.5s", "800us" or "1m30s".
func parseDurationLimit(tok string) (limit, error) {
	if isDecimal(tok) {
		return limit{}, fmt.Errorf("expected a duration unit (%s) after %s", durationUnits, tok)
	}
	if !isDuration(tok) {
		return limit{}, fmt.Errorf("expected a duration like 150ms, 1.5s or 800us, got %q", tok)
	}
	d, err := time.ParseDuration(tok)
	if err != nil {
		return limit{}, fmt.Errorf("duration %q is out of range", tok)
	}
	if d <= 0 {
		return limit{}, fmt.Errorf("a latency limit must be above 0, got %s", tok)
	}
	return limit{value: float64(d) / float64(time.Millisecond), dur: d, text: formatDuration(d)}, nil
}

// isDuration reports whether tok is one or more decimal numbers, each
// followed by a duration unit: the subset of time.ParseDuration's syntax
// without signs.
func isDuration(tok string) bool {
	for tok != "" {
		i := 0
		for i < len(tok) && (isDigit(tok[i]) || tok[i] == '.') {
			i++
		}
		if !isDecimal(tok[:i]) {
			return false
		}
		tok = tok[i:]
		unit := ""
		for _, u := range []string{"ns", "us", "µs", "μs", "ms", "s", "m", "h"} {
			if strings.HasPrefix(tok, u) && len(u) > len(unit) {
				unit = u
			}
		}
		if unit == "" {
			return false
		}
		tok = tok[len(unit):]
	}
	return true
}

// formatDuration writes d exactly in the largest of s, ms, us and ns that
// it reaches: 1.5s, 150ms, 800us, 60s.
func formatDuration(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"s", time.Second}, {"ms", time.Millisecond}, {"us", time.Microsecond}, {"ns", 1}}
	for _, u := range units {
		if d < u.size && u.size > 1 {
			continue
		}
		s := strconv.FormatInt(int64(d/u.size), 10)
		if frac := int64(d % u.size); frac != 0 {
			width := len(strconv.FormatInt(int64(u.size), 10)) - 1
			digits := fmt.Sprintf("%0*d", width, frac)
			s += "." + strings.TrimRight(digits, "0")
		}
		return s + u.name
	}
	return "0s"
}

// parseRatioLimit parses "1%", "2.5%" or a ratio "0.95"; the value is a
// percentage.
func parseRatioLimit(tok string) (limit, error) {
	num, pct := strings.CutSuffix(tok, "%")
	if !pct {
		if !isDecimal(tok) {
			return limit{}, fmt.Errorf("expected a percentage like 1%% or a ratio like 0.01, got %q", tok)
		}
		num = shiftDecimal(tok)
	}
	v, err := parseDecimal(num)
	if err != nil {
		return limit{}, fmt.Errorf("expected a percentage like 1%% or a ratio like 0.01, got %q", tok)
	}
	if v > 100 {
		if !pct {
			return limit{}, fmt.Errorf("a ratio must be between 0 and 1 (write percentages with %%), got %s", tok)
		}
		return limit{}, fmt.Errorf("a percentage must be between 0%% and 100%%, got %s", tok)
	}
	return limit{value: v, text: strconv.FormatFloat(v, 'f', -1, 64) + "%"}, nil
}

// shiftDecimal multiplies a decimal by 100 by moving its point, exactly:
// "0.95" becomes "95", "0.005" becomes "0.5".
func shiftDecimal(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	frac += "00"
	whole, frac = strings.TrimLeft(whole+frac[:2], "0"), strings.TrimRight(frac[2:], "0")
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// parseSizeLimit parses "8KiB", "512MiB", "1.5GB" or "100B" into bytes.
func parseSizeLimit(tok string) (limit, error) {
	bytes, err := parseSize(tok)
	if err != nil {
		return limit{}, err
	}
	if bytes <= 0 {
		return limit{}, fmt.Errorf("a memory limit must be above 0, got %s", tok)
	}
	return limit{value: bytes, text: formatSize(bytes)}, nil
}

// parseSize converts a size to bytes using exact decimal arithmetic, so
// "1.1KB" is 1100 bytes and not 1100.0000000000002.
func parseSize(tok string) (float64, error) {
	i := 0
	for i < len(tok) && (isDigit(tok[i]) || tok[i] == '.') {
		i++
	}
	num, unit := tok[:i], tok[i:]
	if !isDecimal(num) {
		return 0, fmt.Errorf("expected a size like 8KiB or 512MiB, got %q", tok)
	}
	mult, ok := sizeUnit(unit)
	if !ok {
		if unit == "" {
			return 0, fmt.Errorf("expected a size unit (B, KiB, MiB, GiB, KB, MB, GB) after %s", num)
		}
		return 0, fmt.Errorf("unknown size unit %q; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB", unit)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("expected a size like 8KiB or 512MiB, got %q", tok)
	}
	bytes, _ := r.Mul(r, new(big.Rat).SetFloat64(mult)).Float64()
	if math.IsInf(bytes, 0) {
		return 0, fmt.Errorf("size %q is too large", tok)
	}
	return bytes, nil
}

// formatSize writes bytes in the shortest unit that parses back to exactly
// the same value, preferring binary units: 8192 is "8KiB", 8000 is "8KB".
func formatSize(bytes float64) string {
	best := strconv.FormatFloat(bytes, 'f', -1, 64) + "B"
	// Binary units come first: memory is counted in them.
	for _, u := range []string{"TiB", "GiB", "MiB", "KiB", "TB", "GB", "MB", "KB"} {
		mult, _ := sizeUnit(u)
		if bytes < mult {
			continue
		}
		s := strconv.FormatFloat(bytes/mult, 'f', -1, 64) + u
		if back, err := parseSize(s); err == nil && back == bytes && len(s) < len(best) {
			best = s
		}
	}
	return best
}

// parseDecimal parses an unsigned decimal without exponent: "12", "0.5".
func parseDecimal(s string) (float64, error) {
	if !isDecimal(s) {
		return 0, fmt.Errorf("not a decimal number: %q", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("number %q is out of range", s)
	}
	return v, nil
}

// isDecimal reports whether s is digits, optionally followed by a point and
// more digits.
func isDecimal(s string) bool {
	whole, frac, hasPoint := strings.Cut(s, ".")
	return isInteger(whole) && (!hasPoint || isInteger(frac))
}

// isInteger reports whether s is one or more ASCII digits.
func isInteger(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
