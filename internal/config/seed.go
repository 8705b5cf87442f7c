package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

func seedFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Seed, "seed", "", "seed file (YAML) of pools, app clients, groups and users (serve applies it at start-up)")
}

// LoadSeed parses the flags of `cognate seed [flags] FILE`: the serve
// command's flags (the seed command uses --db, --key-file, --region and
// --account-id) and the seed file, which defaults to --seed (COGNATE_SEED).
func LoadSeed(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c, rest, err := load(seedUsage, args, getenv, stderr, "db", "key-file", "region", "account-id", "log-level", "seed")
	if err != nil {
		return nil, err
	}
	switch {
	case len(rest) > 1:
		return nil, fmt.Errorf("unexpected argument %q", rest[1])
	case len(rest) == 1:
		c.Seed = rest[0]
	case c.Seed == "":
		return nil, errors.New("usage: cognate seed [flags] FILE (or --seed FILE, COGNATE_SEED; cognate seed -h lists the flags)")
	}
	return c, nil
}
