package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/cognate-idp/cognate/internal/seal"
)

const keygenUsage = `usage: cognate keygen [--rotate] FILE

Without --rotate, writes a new master key file (mode 0600) with one random
key; it refuses to overwrite an existing file. Give it to every replica
with --key-file (COGNATE_KEY_FILE).

With --rotate, puts a new key first in the existing FILE and keeps the
others: restarted servers seal new secrets with the new key and still open
everything the older keys sealed. Roll the new file out to every replica
before restarting any; drop an old key only once nothing sealed with it
remains (secrets sealed with it cannot be read without it).`

// keygenCommand runs "cognate keygen [--rotate] FILE".
func keygenCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cognate keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, keygenUsage) }
	rotate := fs.Bool("rotate", false, "add a new first key to an existing key file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%s", keygenUsage)
	}
	file := fs.Arg(0)
	if *rotate {
		id, err := seal.Rotate(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: new key %s now seals; the older keys still open what they sealed.\n", file, id)
		return nil
	}
	id, err := seal.Generate(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: master key %s written (mode 0600). Serve with --key-file %s; "+
		"rotate later with cognate keygen --rotate %s.\n", file, id, file, file)
	return nil
}
