// Command coredns is a slim CoreDNS: only the plugins the conformance suite's Corefile uses
// (bind, ready, health, errors, log, kubernetes), instead of the full plugin set whose cloud
// DNS back-ends pull in the AWS, Azure and GCP SDKs. Built by scripts/control-plane-build.ts.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives keeps upstream's execution order (core/dnsserver/zdirectives.go) for the
// plugins compiled in.
var directives = []string{"bind", "ready", "health", "errors", "log", "kubernetes"}

func init() {
	if err := dnsserver.SetDirectives(directives); err != nil {
		panic(err)
	}
}

func main() {
	coremain.Run()
}
