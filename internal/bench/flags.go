package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ParseFlags parses args with fs for one of cognate-bench's commands. -h
// prints the usage to stderr and returns flag.ErrHelp; a bad flag is
// returned, not printed, so that the caller reports it once.
func ParseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fs.Usage()
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (%s -h lists the flags)", err, fs.Name())
	}
	return nil
}
