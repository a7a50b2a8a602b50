package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// natsCmd holds the operator's NATS tools for an external server or cluster:
//
//	tinnhiem nats creds --dir DIR        credentials of every role and accounts.conf
//	tinnhiem nats provision --nats-url URL --nats-creds ops.creds [--replicas 3]
func (e *cmdEnv) natsCmd(args []string) error {
	if len(args) == 0 {
		return usageError{"cách dùng: tinnhiem nats creds --dir DIR | tinnhiem nats provision --nats-url URL --nats-creds ops.creds [--replicas N]"}
	}
	switch args[0] {
	case "creds":
		return e.natsCreds(args[1:])
	case "provision":
		return e.natsProvision(args[1:])
	}
	return usageError{fmt.Sprintf("tinnhiem nats: không có lệnh %q (creds, provision)", args[0])}
}

// natsCreds writes (or keeps) the credentials of every role and the accounts.conf that makes a
// nats-server accept exactly them, each with its role's permissions.
func (e *cmdEnv) natsCreds(args []string) error {
	fs := e.flags("nats creds")
	dir := fs.String("dir", "", "directory for the credentials (created, mode 0700)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"cách dùng: tinnhiem nats creds --dir DIR"}
	}
	users, created, err := bus.EnsureCreds(*dir)
	if err != nil {
		return err
	}
	for _, role := range bus.Roles {
		state := "giữ nguyên"
		for _, c := range created {
			if c == role {
				state = "mới tạo"
			}
		}
		fmt.Fprintf(e.stdout, "%-8s %s  %s (%s)\n", role, users[role], bus.CredsFile(*dir, role), state)
	}
	fmt.Fprintf(e.stdout, "Cấu hình tài khoản cho nats-server: %s (include từ cluster.conf)\n", filepath.Join(*dir, bus.AccountsFile))
	return nil
}

// natsProvision creates or updates every stream, bucket and object store: the one step the
// roles of the workers and the web front may not take themselves.
func (e *cmdEnv) natsProvision(args []string) error {
	fs := e.flags("nats provision")
	natsURL := fs.String("nats-url", e.getenv("TINNHIEM_NATS_URL"), "NATS server or cluster (env TINNHIEM_NATS_URL)")
	replicas := fs.Int("replicas", 1, "JetStream replicas of streams and buckets (3 in a cluster)")
	nopt := e.natsFlags(fs, false)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *natsURL == "" {
		return usageError{"tinnhiem nats provision cần --nats-url"}
	}
	if role, err := nopt.role(); err != nil {
		return err
	} else if role != "" && role != bus.RoleOps {
		return usageError{fmt.Sprintf("tạo luồng cần thông tin đăng nhập của vai trò ops, không phải %s", role)}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	nc, err := bus.DialAuth(*natsURL, "tinnhiem-provision", log, nopt.clientAuth())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Minute)
	defer cancel()
	if err := bus.Provision(ctx, js, *replicas); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã tạo hoặc cập nhật: %s\n", strings.Join(append(append(bus.Streams(), bus.Buckets()...), bus.ObjectStores()...), ", "))
	return nil
}
