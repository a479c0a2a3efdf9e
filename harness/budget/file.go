package budget

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseFile reads a YAML budget file:
//
//	budgets:
//	  - p95(POST /api/auth/login) < 150ms
//	  - error_rate < 1%
//	  - expr: rps > 50
//	    abort: true
//
// Items are expressions or mappings with the keys expr and abort. Every
// problem is reported at once, each as a *ParseError naming the file and
// line (joined with errors.Join).
func ParseFile(path string) ([]Budget, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read budget file: %w", err)
	}
	return ParseYAML(path, data)
}

// Load parses a run's budgets: those of the file (-budgets; "" for none),
// then the expressions (-budget), with every problem of both at once, each
// naming its flag.
func Load(file string, exprs []string) ([]Budget, error) {
	var out []Budget
	var errs []error
	if file != "" {
		bs, err := ParseFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("-budgets: %w", err))
		}
		out = append(out, bs...)
	}
	if len(exprs) > 0 {
		bs, err := ParseList(exprs)
		if err != nil {
			errs = append(errs, fmt.Errorf("-budget: %w", err))
		}
		out = append(out, bs...)
	}
	return out, errors.Join(errs...)
}

// ParseYAML parses the contents of a budget file; name is used in error
// messages in place of the file's path. See ParseFile for the format.
func ParseYAML(name string, data []byte) ([]Budget, error) {
	root, err := decodeYAML(name, data)
	if err != nil {
		return nil, err
	}
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &ParseError{File: name, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
	if root == nil {
		return nil, &ParseError{File: name, Msg: "empty budget file; expected a \"budgets:\" list"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, fail(root, "expected a mapping with a \"budgets:\" list, got %s", kindName(root))
	}
	var list, listKey *yaml.Node
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		switch {
		case key.Value != "budgets":
			errs = append(errs, fail(key, "unknown key %q; the file holds one key, budgets", key.Value))
		case listKey != nil:
			errs = append(errs, fail(key, "budgets is given twice (first at line %d)", listKey.Line))
		default:
			list, listKey = resolve(value), key
		}
	}
	switch {
	case len(errs) > 0:
		return nil, errors.Join(errs...)
	case list == nil:
		return nil, fail(root, "no \"budgets:\" list")
	case list.Kind != yaml.SequenceNode:
		return nil, fail(list, "budgets: expected a list of budget expressions, got %s", kindName(list))
	case len(list.Content) == 0:
		return nil, fail(list, "budgets: the list is empty")
	}
	bs := make([]Budget, 0, len(list.Content))
	for _, item := range list.Content {
		b, err := parseItem(name, resolve(item))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bs = append(bs, b)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return bs, nil
}

// decodeYAML decodes data into its root node, nil for an empty document.
// A syntax error becomes a *ParseError with the file and line.
func decodeYAML(name string, data []byte) (*yaml.Node, error) {
	doc, err := unmarshal(data)
	if err != nil {
		return nil, yamlError(name, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return resolve(doc.Content[0]), nil
}

// unmarshal decodes a YAML document into a node tree.
func unmarshal(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		// The decoder has panicked on hostile input in the past; a budget
		// file is configuration, so turn that into an error.
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("yaml: malformed document: %v", r)
		}
	}()
	doc = new(yaml.Node)
	if err := yaml.Unmarshal(data, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// maxSearchLines bounds the files whose syntax errors errorLine locates
// by re-parsing prefixes, which costs a parse per line.
const maxSearchLines = 1000

// yamlError turns "yaml: line 3: did not find expected key" into a
// *ParseError for the line where the document stops being valid YAML.
func yamlError(name string, data []byte, err error) error {
	msg, line := splitYAMLError(err)
	if found := errorLine(data, msg, line-1); found > 0 {
		line = found
	}
	return &ParseError{File: name, Line: line, Msg: "YAML: " + msg, Err: err}
}

// splitYAMLError splits a decoder error into its message and the line it
// names, 0 when it names none.
func splitYAMLError(err error) (msg string, line int) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				return text, n
			}
		}
	}
	return msg, 0
}

// errorLine returns the first line at which data, cut after that line,
// fails with the same message, or 0 when no such line is found. The
// decoder's own line is often one too early for parser errors (it counts
// from 0 where it reports the start of the enclosing block), so the line
// is found by parsing growing prefixes of the file, from line from on:
// the decoder never names a line after the one in error.
func errorLine(data []byte, msg string, from int) int {
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > maxSearchLines {
		return 0
	}
	end := 0
	for i, l := range lines {
		end += len(l)
		if i+1 < from {
			continue
		}
		if _, err := unmarshal(data[:end]); err != nil {
			if m, _ := splitYAMLError(err); m == msg {
				return i + 1
			}
		}
	}
	return 0
}

// parseItem parses one list item: an expression, or {expr, abort}.
func parseItem(name string, item *yaml.Node) (Budget, error) {
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &ParseError{File: name, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
	var exprNode, abortNode *yaml.Node
	switch item.Kind {
	case yaml.ScalarNode:
		if item.ShortTag() == "!!null" {
			return Budget{}, fail(item, "empty budget item")
		}
		exprNode = item
	case yaml.MappingNode:
		var errs []error
		seen := make(map[string]int, 2)
		for i := 0; i+1 < len(item.Content); i += 2 {
			key, value := item.Content[i], resolve(item.Content[i+1])
			if first, dup := seen[key.Value]; dup {
				errs = append(errs, fail(key, "%s is given twice in a budget item (first at line %d)", key.Value, first))
				continue
			}
			seen[key.Value] = key.Line
			switch key.Value {
			case "expr":
				exprNode = value
			case "abort":
				abortNode = value
			default:
				errs = append(errs, fail(key, "unknown key %q in a budget item; known keys: expr, abort", key.Value))
			}
		}
		if len(errs) > 0 {
			return Budget{}, errors.Join(errs...)
		}
		if exprNode == nil {
			return Budget{}, fail(item, "budget item has no expr")
		}
		if exprNode.Kind != yaml.ScalarNode || exprNode.ShortTag() == "!!null" {
			return Budget{}, fail(exprNode, "expr: expected a budget expression, got %s", kindName(exprNode))
		}
	default:
		return Budget{}, fail(item, "expected a budget expression or a mapping with expr and abort, got %s", kindName(item))
	}
	b, err := Parse(exprNode.Value)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File, pe.Line = name, exprNode.Line
		}
		return Budget{}, err
	}
	if abortNode == nil {
		return b, nil
	}
	var abort bool
	if abortNode.Kind != yaml.ScalarNode || abortNode.ShortTag() != "!!bool" || abortNode.Decode(&abort) != nil {
		return Budget{}, fail(abortNode, "abort: expected true or false, got %q", abortNode.Value)
	}
	if !abort && b.Abort {
		return Budget{}, fail(abortNode, "abort: false contradicts the \"abort\" at the end of the expression")
	}
	if abort && !b.Abort {
		// Parse again with the keyword, so the metric's rules for abort
		// apply to the file's form too.
		ab, err := Parse(exprNode.Value + " abort")
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				return Budget{}, fail(abortNode, "abort: true: %s", pe.Msg)
			}
			return Budget{}, fail(abortNode, "abort: true: %v", err)
		}
		b = ab
	}
	return b, nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// kindName describes a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}
