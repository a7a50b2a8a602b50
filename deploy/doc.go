// Package deploy holds what runs tinnhiem outside a developer's shell: the NATS cluster
// configuration, the container image, compose and Kubernetes manifests and systemd units. The
// files are embedded so `tinnhiem` can print them and tests can check they stay valid.
package deploy

import "embed"

// Files are the deployment files, by path relative to this directory.
//
//go:embed Dockerfile compose.yaml nats/*.conf systemd/*.service systemd/*.timer kubernetes/*.yaml prometheus/*.yml grafana/*.json
var Files embed.FS
