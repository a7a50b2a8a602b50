package main

import (
	_ "github.com/go-fonts/liberation/liberationserifregular"
	_ "github.com/jung-kurt/gofpdf"
	_ "github.com/ledongthuc/pdf"
	_ "github.com/nats-io/nats-server/v2/server"
	_ "github.com/nats-io/nats.go"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/text/unicode/norm"
	_ "gopkg.in/yaml.v3"
)

func main() {}
