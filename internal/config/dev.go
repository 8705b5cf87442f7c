package config

import (
	"flag"
	"net"
)

// devFlags defines the flag of development mode.
func devFlags(fs *flag.FlagSet, c *Config) {
	fs.BoolVar(&c.Dev, "dev", false, "development mode: POST /_cognate/reset (and moto's POST /moto-api/reset) deletes every user pool, without authentication; "+
		"refused unless --listen is a loopback address")
}

// validateDev refuses development mode on any address but loopback: its
// reset routes answer anyone who can reach them.
func (c *Config) validateDev(bad func(format string, args ...any)) {
	if !c.Dev {
		return
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return // reported against --listen
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		bad("--dev is refused with --listen %q: development mode lets anyone who reaches the server delete every pool; listen on a loopback address such as 127.0.0.1:9229", c.Listen)
	}
}
