package config

import "strings"

// flagTable is the README's flag table, made from the option table: a row
// per option with its flag, its default and its doc.
func flagTable() string {
	var b strings.Builder
	b.WriteString("| flag | default | meaning |\n| --- | --- | --- |\n")
	for _, o := range options {
		b.WriteString("| `-" + o.Name + "` | " + o.defaultText() + " | " + o.Doc + " |\n")
	}
	return b.String()
}
