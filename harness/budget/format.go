package budget

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxExtraDigits bounds how many digits formatMeasured adds to tell a
// measured value from its limit.
const maxExtraDigits = 8

// scale is a display unit: values are divided by size and get suffix.
type scale struct {
	size   float64
	suffix string
}

// displayScale picks the unit a value of kind k (in the verdict's unit) is
// shown in: microseconds below 1ms, seconds from 1s; KiB, MiB, GiB for
// sizes.
func displayScale(k valueKind, v float64) scale {
	abs := math.Abs(v)
	switch k {
	case kindDuration:
		switch {
		case abs != 0 && abs < 1:
			return scale{0.001, "us"}
		case abs >= 1000:
			return scale{1000, "s"}
		}
		return scale{1, "ms"}
	case kindRatio:
		return scale{1, "%"}
	case kindRate:
		return scale{1, " req/s"}
	case kindBytes:
		for _, u := range []scale{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
			if abs >= u.size {
				return u
			}
		}
		return scale{1, "B"}
	}
	return scale{1, ""}
}

// formatMeasured writes a measured value for a message with three
// significant digits ("212ms", "2.31%", "9.2KiB"), adding digits until the
// shown value compares with the limit as the measured one does, so a
// message never reads "was 150ms, budget 150ms" for a value of 150.4ms, nor
// "was 12ms, budget 12.007ms" for a value of exactly 12.007ms.
func formatMeasured(k valueKind, v, limit float64) string {
	if k == kindCount {
		return humanInt(int64(v))
	}
	sc := displayScale(k, v)
	var text string
	for extra := 0; extra <= maxExtraDigits; extra++ {
		var shown float64
		text, shown = formatScaled(v, sc, extra)
		if compare(shown, limit) == compare(v, limit) {
			break
		}
	}
	return text
}

// compare orders a and b, treating nearly equal values as equal.
func compare(a, b float64) int {
	switch {
	case nearlyEqual(a, b):
		return 0
	case a < b:
		return -1
	}
	return 1
}

// formatScaled writes v in scale sc with three significant digits plus
// extra, and returns the value shown, converted back to v's unit.
func formatScaled(v float64, sc scale, extra int) (string, float64) {
	x := v / sc.size
	digits := extra
	if x != 0 {
		digits += 2 - int(math.Floor(math.Log10(math.Abs(x))))
	}
	digits = min(max(digits, extra, 0), 15)
	s := strconv.FormatFloat(x, 'f', digits, 64)
	shown, _ := strconv.ParseFloat(s, 64)
	return groupThousands(trimZeros(s)) + sc.suffix, shown * sc.size
}

// nearlyEqual compares two floats allowing for the rounding of a unit
// conversion.
func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// trimZeros removes trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// groupThousands puts commas between groups of three digits of the whole
// part of a decimal: "12400.5" becomes "12,400.5".
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var sb strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	if hasFrac {
		return sign + sb.String() + "." + frac
	}
	return sign + sb.String()
}

// humanInt writes n with thousands separators: 1,204.
func humanInt(n int64) string {
	return groupThousands(strconv.FormatInt(n, 10))
}

// plural writes a count and a noun, in the plural unless the count is one:
// "1 sample", "1,204 samples".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return humanInt(n) + " " + noun + "s"
}

// seconds writes a duration in seconds for a message: "50s", "1.5s".
func seconds(s float64) string {
	text, _ := formatScaled(s, scale{1, "s"}, 0)
	return text
}

// listNames writes up to five names, then how many more there were.
func listNames(names []string) string {
	const shown = 5
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:shown], ", ") + ", and " + strconv.Itoa(len(names)-shown) + " more"
}

// firstLine returns the first line of s, cut to at most 200 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
