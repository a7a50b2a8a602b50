package zz

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

func TestCount(t *testing.T) {
	dir := os.Getenv("DATA")
	key, err := bus.LoadKey(os.Getenv("KEYF"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: bus.StoreDir(dir), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	nc, _ := e.Connect("x")
	js, _ := jetstream.New(nc)
	l := js.ListStreams(context.Background())
	for s := range l.Info() {
		fmt.Printf("%-30s msgs %8d bytes %10d lastseq %8d subjects %d\n", s.Config.Name, s.State.Msgs, s.State.Bytes, s.State.LastSeq, s.State.NumSubjects)
	}
}

func TestKeys(t *testing.T) {
	dir := os.Getenv("DATA")
	key, _ := bus.LoadKey(os.Getenv("KEYF"))
	e, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: bus.StoreDir(dir), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	nc, _ := e.Connect("x")
	js, _ := jetstream.New(nc)
	s, _ := js.Stream(context.Background(), "KV_tn_documents")
	for seq := uint64(1); seq <= 40; seq++ {
		m, err := s.GetMsg(context.Background(), seq)
		if err != nil {
			fmt.Println(seq, err)
			continue
		}
		fmt.Println(seq, m.Subject, len(m.Data), m.Header.Get("KV-Operation"))
	}
}
