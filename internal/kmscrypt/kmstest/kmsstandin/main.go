// Command kmsstandin serves the KMS stand-in of package kmstest on a
// loopback port, for test suites outside Go (scripts/nodetest.sh starts
// it for the Node suite). It prints "listening on http://ADDR" once it
// accepts connections and serves until it is killed. Tests only.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"

	"github.com/cognate-idp/cognate/internal/kmscrypt/kmstest"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, kmstest.New()))
}
