// Command decoy is an OpenAPI-driven mock server for contract testing.
//
//	decoy                      serve the embedded default API on 127.0.0.1:4010
//	decoy serve --spec FILE    serve any OpenAPI 3.0/3.1 or Swagger 2.0 document
//	decoy validate --spec FILE check a spec without serving
//	decoy routes --spec FILE   list the operations a spec defines
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	applyGCDefaults(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if err != errUsage && err != errHelp {
			fmt.Fprintln(os.Stderr, "decoy:", err)
		}
		os.Exit(exitCode(err))
	}
}
