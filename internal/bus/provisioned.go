package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ProvisionAs provisions what a process of the given NATS role may: a process without a role
// (the embedded server's own connection, an open development server) or with the ops role
// creates and updates every stream, bucket and object store (Provision); the other roles may
// not change a stream's configuration, so they wait until every one exists, which the serving
// process or an operator (`tinnhiem nats provision`) provides.
func ProvisionAs(ctx context.Context, js jetstream.JetStream, replicas int, role string) error {
	if role == "" || role == RoleOps {
		return Provision(ctx, js, replicas)
	}
	return WaitProvisioned(ctx, js)
}

// WaitProvisioned returns once every stream, bucket and object store exists, or fails with
// what is missing when ctx ends.
func WaitProvisioned(ctx context.Context, js jetstream.JetStream) error {
	for {
		missing, err := Missing(ctx, js)
		if err == nil && len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%v chưa được tạo; hãy chạy tinnhiem serve (NATS nhúng) hoặc \"tinnhiem nats provision\" với thông tin đăng nhập ops / not provisioned yet: start the embedded server or run provisioning with the ops credentials", missing)
			}
			return fmt.Errorf("bus: wait for provisioning: %w", err)
		case <-time.After(time.Second):
		}
	}
}

// Missing lists the streams (KV_… and OBJ_… for buckets and object stores) that do not exist.
func Missing(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var missing []string
	for _, name := range allStreams() {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := js.Stream(rctx, name)
		cancel()
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			missing = append(missing, name)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", name, err)
		}
	}
	return missing, nil
}
