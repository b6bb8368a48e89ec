package main

import (
	"net"
	"os"
	"testing"

	"github.com/goccy/go-yaml"
)

// The shipped docker-compose.yml must let Bureau see real client addresses
// (sign-in limits count per address): Bureau trusts exactly the proxy's
// fixed address, and is reachable only through it.
func TestComposePassesClientAddresses(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Networks    any               `yaml:"networks"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	bureau, proxy := compose.Services["bureau"], compose.Services["proxy"]
	nets, _ := proxy.Networks.(map[string]any)
	edge, _ := nets["edge"].(map[string]any)
	proxyIP, _ := edge["ipv4_address"].(string)
	if proxyIP == "" {
		t.Fatalf("the proxy has no fixed address: %v", proxy.Networks)
	}
	if got := bureau.Environment["BUREAU_TRUSTED_PROXIES"]; got != proxyIP {
		t.Errorf("BUREAU_TRUSTED_PROXIES %q, want the proxy's address %q", got, proxyIP)
	}
	if len(bureau.Ports) > 0 {
		t.Errorf("bureau publishes %v: clients there would all share the gateway's address", bureau.Ports)
	}
	if net.ParseIP(proxyIP) == nil {
		t.Errorf("the proxy's address %q is not an IP address", proxyIP)
	}
}
