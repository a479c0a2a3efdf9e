// Package traceparent formats the W3C Trace Context header every request
// of a user carries (traceparent: version, trace id, parent span id,
// flags), so the target's traces can be joined to the run's requests. It
// is apart from the user that draws the ids, so the format is tested on
// fixed values; it allocates only the header's string.
package traceparent

// Format returns the traceparent value of version 00 for the trace id
// hi,lo (hi first) and the span id span, with the sampled flag set when
// sampled: "00-<32 hex>-<16 hex>-0<0|1>". The trace id is [3:35] of it.
func Format(hi, lo, span uint64, sampled bool) string {
	var b [24]byte
	for i := range 8 {
		b[i], b[8+i], b[16+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i)), byte(span>>(56-8*i))
	}
	const hexdigits = "0123456789abcdef"
	var out [55]byte // 00-<32>-<16>-<2>
	copy(out[:3], "00-")
	for i := range 16 {
		out[3+2*i], out[4+2*i] = hexdigits[b[i]>>4], hexdigits[b[i]&15]
	}
	out[35] = '-'
	for i := range 8 {
		out[36+2*i], out[37+2*i] = hexdigits[b[16+i]>>4], hexdigits[b[16+i]&15]
	}
	copy(out[52:], "-00")
	if sampled {
		out[54] = '1'
	}
	return string(out[:])
}
