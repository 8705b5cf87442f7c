package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// usage is what -h prints before the flags.
type usage struct {
	command  string // "cognate serve"
	synopsis string
}

var (
	serveUsage = usage{"cognate serve", `usage: cognate serve [flags]

Runs the server. Each flag may also be set by the environment variable
shown beside it; a flag on the command line wins.`}
	seedUsage = usage{"cognate seed", `usage: cognate seed [flags] FILE

Applies the seed file FILE (YAML: pools, app clients, groups, users) to the
database the flags name, in one transaction; safe while a server runs on the
same database. Each flag may also be set by the environment variable shown
beside it; FILE defaults to --seed (COGNATE_SEED).`}
)

// envName is the environment variable of a flag: COGNATE_ and the name in
// upper case with - as _.
func envName(flagName string) string {
	return "COGNATE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// print writes the synopsis and every flag of fs with its variable, usage
// and default.
func (u usage) print(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\nflags:\n", u.synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		fmt.Fprintf(w, "  --%s%s  (%s)\n", f.Name, arg, envName(f.Name))
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "        %s\n", text)
	})
}

// subset returns a flag set of the same name with only the named flags of
// fs, sharing their values.
func subset(fs *flag.FlagSet, names []string) *flag.FlagSet {
	out := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil {
			panic("config: no flag " + n)
		}
		out.Var(f.Value, f.Name, f.Usage)
	}
	return out
}
