package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// JetStream's snapshot API, driven as nats-server serves it (server/jetstream_api.go):
//
// A snapshot request names a deliver subject; the answer carries the stream's configuration
// and state, then the server sends the snapshot (an s2-compressed archive of the stream's
// messages and consumers, never encrypted) in chunks to that subject. Each chunk but the last
// has a reply subject to ack: the server keeps at most a window of unacked bytes in flight and
// gives up after 5 s without an ack. An empty message ends the snapshot; its status, if any,
// is 204 on success, 408 or 500 with a description on failure.
//
// A restore request (configuration and state) is answered with a subject to send the chunks
// to, each as a request answered by an empty ack (or an error); an empty request ends it and
// is answered with the created stream's info. The server abandons a restore that receives
// nothing for 5 s.

const (
	chunkSize  = 256 << 10
	windowSize = 4 << 20
	// idle bounds the wait for the next snapshot chunk; the server itself stops after 5 s
	// without acks, so a longer silence means it has gone.
	idle = 30 * time.Second
)

// apiError is a JetStream API error answer.
type apiError struct {
	Code        int    `json:"code"`
	ErrCode     int    `json:"err_code"`
	Description string `json:"description"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s (%d/%d)", e.Description, e.Code, e.ErrCode)
}

// streamState is the part of a stream's state a backup records and a restore checks.
type streamState struct {
	Messages  uint64 `json:"messages"`
	Bytes     uint64 `json:"bytes"`
	FirstSeq  uint64 `json:"first_seq"`
	LastSeq   uint64 `json:"last_seq"`
	Consumers int    `json:"consumer_count"`
}

// snapshotStream hands begin the configuration and state the server reports as it starts a
// stream's snapshot, then the snapshot to deliver chunk by chunk.
func snapshotStream(ctx context.Context, nc *nats.Conn, stream string, begin func(config, state json.RawMessage) error, deliver func([]byte) error) error {
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	req, _ := json.Marshal(map[string]any{"deliver_subject": inbox, "chunk_size": chunkSize, "window_size": windowSize, "jsck": true})
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	msg, err := nc.RequestWithContext(rctx, "$JS.API.STREAM.SNAPSHOT."+stream, req)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", stream, err)
	}
	var resp struct {
		Error  *apiError       `json:"error"`
		Config json.RawMessage `json:"config"`
		State  json.RawMessage `json:"state"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return fmt.Errorf("snapshot %s: answer: %w", stream, err)
	}
	if resp.Error != nil {
		return fmt.Errorf("snapshot %s: %w", stream, resp.Error)
	}
	if err := begin(resp.Config, resp.State); err != nil {
		return err
	}
	for {
		cctx, cancel := context.WithTimeout(ctx, idle)
		m, err := sub.NextMsgWithContext(cctx)
		cancel()
		if err != nil {
			return fmt.Errorf("snapshot %s: waiting for a chunk: %w", stream, err)
		}
		if len(m.Data) == 0 {
			if st := m.Header.Get("Status"); st != "" && st != "204" {
				return fmt.Errorf("snapshot %s: server stopped: %s %s", stream, st, m.Header.Get("Description"))
			}
			return nil
		}
		if err := deliver(m.Data); err != nil {
			return err
		}
		if m.Reply != "" {
			if err := nc.Publish(m.Reply, nil); err != nil {
				return fmt.Errorf("snapshot %s: ack: %w", stream, err)
			}
		}
	}
}

// restorer feeds one stream's snapshot to the server.
type restorer struct {
	nc      *nats.Conn
	stream  string
	deliver string
}

// errNoPeers is JetStream's "no suitable peers for placement" (JSClusterNoPeersErrF): the
// meta leader sees too few peers online for the replicas asked. The request created nothing.
const errNoPeers = 10005

// startRestore asks the server to restore a stream. While the cluster has too few peers
// online to place it, the request is sent again for at most wait: a restore usually follows
// the start of a new cluster, whose peers come online one by one, and on a loaded machine a
// peer that misses a heartbeat is offline to the leader until its next one.
func startRestore(ctx context.Context, nc *nats.Conn, stream string, config, state json.RawMessage, wait time.Duration) (*restorer, error) {
	req, err := json.Marshal(map[string]json.RawMessage{"config": config, "state": state})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		deliver, err := requestRestore(ctx, nc, stream, req)
		if err == nil {
			return &restorer{nc: nc, stream: stream, deliver: deliver}, nil
		}
		var api *apiError
		if !errors.As(err, &api) || api.ErrCode != errNoPeers || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (%v)", err, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// requestRestore sends one restore request and returns the subject the server named for the
// chunks.
func requestRestore(ctx context.Context, nc *nats.Conn, stream string, req []byte) (string, error) {
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	msg, err := nc.RequestWithContext(rctx, "$JS.API.STREAM.RESTORE."+stream, req)
	if err != nil {
		return "", fmt.Errorf("restore %s: %w", stream, err)
	}
	var resp struct {
		Error          *apiError `json:"error"`
		DeliverSubject string    `json:"deliver_subject"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return "", fmt.Errorf("restore %s: answer: %w", stream, err)
	}
	if resp.Error != nil {
		return "", fmt.Errorf("restore %s: %w", stream, resp.Error)
	}
	if resp.DeliverSubject == "" {
		return "", fmt.Errorf("restore %s: the server named no subject for the chunks", stream)
	}
	return resp.DeliverSubject, nil
}

func (r *restorer) chunk(ctx context.Context, data []byte) error {
	msg, err := r.request(ctx, data, time.Minute)
	if err != nil {
		return fmt.Errorf("restore %s: chunk: %w", r.stream, err)
	}
	if len(msg.Data) > 0 {
		var resp struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(msg.Data, &resp) == nil && resp.Error != nil {
			return fmt.Errorf("restore %s: %w", r.stream, resp.Error)
		}
	}
	return nil
}

// request sends to the restore subject. In a cluster the node that receives the snapshot
// subscribes to that subject before naming it, but the other nodes hear of the subscription a
// moment later: a client connected to one of them may find no responder at first. Nothing was
// delivered then, so the request is sent again, for at most a few seconds (the server gives up
// a restore that hears nothing for 5 s).
func (r *restorer) request(ctx context.Context, data []byte, timeout time.Duration) (*nats.Msg, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		msg, err := r.nc.RequestWithContext(rctx, r.deliver, data)
		cancel()
		if !errors.Is(err, nats.ErrNoResponders) || time.Now().After(deadline) {
			return msg, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// finish ends the transfer and waits for the server to build the stream.
func (r *restorer) finish(ctx context.Context) (streamState, error) {
	msg, err := r.request(ctx, nil, 10*time.Minute)
	if err != nil {
		return streamState{}, fmt.Errorf("restore %s: finish: %w", r.stream, err)
	}
	var resp struct {
		Error *apiError `json:"error"`
		State *struct {
			streamState
		} `json:"state"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return streamState{}, fmt.Errorf("restore %s: answer: %w", r.stream, err)
	}
	if resp.Error != nil {
		return streamState{}, fmt.Errorf("restore %s: %w", r.stream, resp.Error)
	}
	if resp.State == nil {
		return streamState{}, errors.New("restore " + r.stream + ": the server reported no stream")
	}
	return resp.State.streamState, nil
}
