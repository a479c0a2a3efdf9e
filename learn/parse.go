package learn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The formats Read understands.
const (
	FormatAuto     = "auto" // by the first line: '{' JSON lines (or HAR), else Combined
	FormatCombined = "combined"
	FormatJSON     = "json"
	FormatHAR      = "har"
)

// maxLine bounds one log line; longer lines are skipped and counted.
const maxLine = 1 << 20

// ReadOptions say how to read a log.
type ReadOptions struct {
	// Format is FormatAuto (the default), FormatCombined, FormatJSON or FormatHAR.
	Format string
	// Fields names the fields of JSON lines; zero fields take the names
	// the reference service writes (DefaultFields).
	Fields Fields
}

// ReadFile reads the log at path.
func ReadFile(path string, opts ReadOptions) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	defer f.Close()
	if opts.Format == "" || opts.Format == FormatAuto {
		if strings.HasSuffix(strings.ToLower(path), ".har") {
			opts.Format = FormatHAR
		}
	}
	l, err := Read(f, opts)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return l, nil
}

// Read reads a whole log. Lines that do not parse are skipped and counted
// in Log.Skipped; a log of which no line parses is an error.
func Read(r io.Reader, opts ReadOptions) (*Log, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	format := opts.Format
	if format == "" || format == FormatAuto {
		head, _ := br.Peek(512)
		head = bytes.TrimLeft(head, " \t\r\n\ufeff")
		switch {
		case len(head) == 0:
			return nil, errors.New("the log is empty")
		case head[0] == '{' && bytes.Contains(head, []byte(`"log"`)) && bytes.Contains(head, []byte(`"entries"`)):
			format = FormatHAR
		case head[0] == '{':
			format = FormatJSON
		default:
			format = FormatCombined
		}
	}
	l := newLog()
	var err error
	switch format {
	case FormatHAR:
		err = readHAR(br, l)
	case FormatCombined:
		err = readLines(br, l, parseCombined)
	case FormatJSON:
		p, perr := newJSONParser(opts.Fields)
		if perr != nil {
			return nil, perr
		}
		err = readLines(br, l, p.parse)
	default:
		return nil, fmt.Errorf("-format: %q: want auto, combined, json or har", format)
	}
	if err != nil {
		return nil, err
	}
	if l.Len() == 0 {
		return nil, fmt.Errorf("no line of %d parsed as %s", l.Lines, format)
	}
	l.finish()
	return l, nil
}

// readLines feeds every line to parse, reusing one Entry.
func readLines(br *bufio.Reader, l *Log, parse func([]byte, *Entry) bool) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var e Entry
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		l.Lines++
		e = Entry{}
		if parse(line, &e) {
			l.Add(&e)
		} else {
			l.Skipped++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", l.Lines+1, err)
	}
	return nil
}
