package bus

import (
	"fmt"
	"slices"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS roles: one user per kind of process, each allowed only the subjects its work needs.
// A process that holds the credentials of one role cannot read another's replies (each role
// has its own inbox prefix), cannot touch the account secrets unless it is the HTTP front,
// and none but ops can delete a stream, purge one of the event streams or a bucket, change a
// stream's configuration (which could shorten its limits) or restore; only the HTTP front (for
// the admins' online backup) and ops may snapshot.
const (
	RoleHTTP    = "http"    // the web pages and the JSON API (serve --workers none)
	RoleIngest  = "ingest"  // ingest workers
	RoleDossier = "dossier" // dossier projector, deadline watcher, alert deliverer
	RoleMinutes = "minutes" // minutes workers
	RolePublish = "publish" // publish workers
	RoleOps     = "ops"     // operators: provisioning, backup, restore, repairs — everything
)

// Roles lists every role, in the order credentials are written.
var Roles = []string{RoleHTTP, RoleIngest, RoleDossier, RoleMinutes, RolePublish, RoleOps}

// Durable consumer names, one per kind of worker; the workers use them and the roles grant
// exactly them.
const (
	DurableIngest  = "ingest"
	DurableDossier = "dossier-projector"
	DurableMinutes = "minutes"
	DurablePublish = "publish"
)

// InboxPrefix is the reply subject prefix of a role's connections: replies to one role's
// requests (KV reads of the accounts bucket, say) reach no other role.
func InboxPrefix(role string) string { return "_INBOX_" + role }

// grant is a set of publish and subscribe allowances.
type grant struct{ pub, sub []string }

func (g *grant) add(o grant) {
	g.pub = append(g.pub, o.pub...)
	g.sub = append(g.sub, o.sub...)
}

const api = "$JS.API."

// publishTo allows JetStream publishes to stream subjects (the acks come to the inbox).
func publishTo(subjects ...string) grant { return grant{pub: subjects} }

// readStream allows reading a stream through ordered or ephemeral consumers and direct gets:
// no acks, no durable state.
func readStream(stream string) grant {
	return grant{pub: []string{
		api + "CONSUMER.CREATE." + stream, api + "CONSUMER.CREATE." + stream + ".>",
		api + "CONSUMER.INFO." + stream + ".*",
		api + "CONSUMER.MSG.NEXT." + stream + ".*",
		api + "CONSUMER.DELETE." + stream + ".*",
		api + "STREAM.MSG.GET." + stream,
		api + "DIRECT.GET." + stream, api + "DIRECT.GET." + stream + ".>",
		"$JS.FC." + stream + ".>", // flow control of push consumers (KV watchers, object reads)
	}}
}

// consume allows running one durable pull consumer: create or update it, pull, ack, and hear
// of messages that ran out of deliveries.
func consume(stream, durable string) grant {
	return grant{
		pub: []string{
			api + "CONSUMER.CREATE." + stream + "." + durable, api + "CONSUMER.CREATE." + stream + "." + durable + ".>",
			api + "CONSUMER.DURABLE.CREATE." + stream + "." + durable,
			api + "CONSUMER.INFO." + stream + "." + durable,
			api + "CONSUMER.MSG.NEXT." + stream + "." + durable,
			"$JS.ACK." + stream + "." + durable + ".>",
		},
		sub: []string{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + durable},
	}
}

func kvRead(bucket string) grant { return readStream("KV_" + bucket) }

// kvWrite allows puts, compare-and-set writes, deletes and key purges (all are publishes to
// the key's subject); a purge of the whole bucket stays with ops.
func kvWrite(bucket string) grant {
	g := kvRead(bucket)
	g.add(publishTo("$KV." + bucket + ".>"))
	return g
}

func objRead(store string) grant { return readStream("OBJ_" + store) }

// objWrite allows putting and deleting objects. The object store deletes an object's chunks,
// and the chunks an overwrite replaced, with a stream purge filtered on that object's chunk
// subject; nats-server cannot tell such a purge from a purge of the whole store, so the roles
// that write an object store may purge it — that store only, never an event stream or a
// bucket.
func objWrite(store string) grant {
	g := objRead(store)
	g.add(grant{pub: []string{"$O." + store + ".>", api + "STREAM.PURGE.OBJ_" + store}})
	return g
}

// objPut allows adding objects to a store, not deleting them nor purging the store: the
// ingest workers keep the PDF rendering of a Word file, once. (A NATS subject cannot tell a
// new object from a changed one, so the store it is granted on holds nothing else.)
func objPut(store string) grant {
	g := objRead(store)
	g.add(publishTo("$O."+store+".C.>", "$O."+store+".M.>"))
	return g
}

// common is what every role does: account and stream info (names, limits and counts, no
// content) and replies on its own inbox.
func common(role string) grant {
	return grant{
		pub: []string{api + "INFO", api + "STREAM.INFO.*", api + "STREAM.NAMES", api + "STREAM.LIST", api + "CONSUMER.NAMES.*", api + "CONSUMER.LIST.*"},
		sub: []string{InboxPrefix(role) + ".>"},
	}
}

// allStreams names every stream tinnhiem provisions, KV buckets and object stores included.
func allStreams() []string {
	out := []string{StreamIngest, StreamDossier, StreamTally, StreamPublish, StreamAlerts, StreamAudit}
	for _, b := range Buckets() {
		out = append(out, "KV_"+b)
	}
	for _, o := range ObjectStores() {
		out = append(out, "OBJ_"+o)
	}
	return out
}

// Buckets lists every KV bucket tinnhiem uses.
func Buckets() []string {
	return []string{BucketRounds, BucketUsers, BucketTokens, BucketDocuments, BucketDossiers, BucketTallies, BucketAlerts, BucketArtifacts}
}

// ObjectStores lists every object store tinnhiem uses.
func ObjectStores() []string { return []string{ObjectUploads, ObjectArtifacts, ObjectRenderings} }

// Streams lists the event streams.
func Streams() []string {
	return []string{StreamIngest, StreamDossier, StreamTally, StreamPublish, StreamAlerts, StreamAudit}
}

// grants is what each role needs beyond common. The audit trail is append-only for everyone:
// publishing to tn.audit.> adds an event, and nothing but ops can remove one.
func grants(role string) (grant, error) {
	var g grant
	audit := publishTo("tn.audit.>")
	switch role {
	case RoleHTTP:
		// Uploads, reviews, board decisions, tallies; accounts and tokens; every read the
		// pages and the API make, the audit trail and the dossier events (rebuild) included.
		g.add(publishTo("tn.ingest.>", "tn.dossier.>", "tn.tally.>"))
		g.add(audit)
		g.add(readStream(StreamAudit))
		g.add(readStream(StreamDossier))
		g.add(readStream(StreamAlerts))
		for _, b := range []string{BucketRounds, BucketUsers, BucketTokens, BucketDocuments, BucketDossiers, BucketTallies, BucketAlerts} {
			g.add(kvWrite(b))
		}
		g.add(kvRead(BucketArtifacts))
		g.add(objWrite(ObjectUploads))
		g.add(objRead(ObjectRenderings)) // Word files seen and sent in the packet as PDF
		g.add(objRead(ObjectArtifacts))
		// The admins' online backup (GET /api/v1/backup) snapshots every stream: a read, of
		// what this role reads already, the account secrets included.
		g.add(grant{pub: []string{api + "STREAM.SNAPSHOT.*", "$JS.SNAPSHOT.ACK.>"}})
	case RoleIngest:
		// Reads each uploaded file, records its verdict, announces it to the dossier projection.
		g.add(consume(StreamIngest, DurableIngest))
		g.add(readStream(StreamIngest)) // the give-up path reads the original upload message
		// The sweep announces again an upload whose web front died between recording and
		// announcing it (tn.ingest.<round>.uploaded; rechecks stay the front's).
		g.add(publishTo("tn.ingest.*.uploaded", "tn.dossier.>"))
		g.add(audit)
		g.add(kvWrite(BucketDocuments))
		g.add(kvRead(BucketRounds))
		g.add(objRead(ObjectUploads))
		g.add(objPut(ObjectRenderings)) // adds the PDF renderings of Word files, replaces none
	case RoleDossier:
		// Projects document events into dossiers, raises and delivers alerts.
		g.add(consume(StreamDossier, DurableDossier))
		g.add(readStream(StreamDossier)) // rebuilds replay the stream
		g.add(publishTo("tn.alert.>", "tn.dossier.>"))
		g.add(audit)
		g.add(kvWrite(BucketDossiers))
		g.add(kvWrite(BucketAlerts))
		g.add(kvRead(BucketRounds))
		g.add(kvRead(BucketDocuments))
	case RoleMinutes:
		// Renders the PDFs of a sealed tally and announces them.
		g.add(consume(StreamTally, DurableMinutes))
		g.add(publishTo("tn.publish.>"))
		g.add(audit)
		g.add(kvRead(BucketTallies))
		g.add(kvRead(BucketRounds))
		g.add(kvRead(BucketDossiers)) // the minutes list the explanations given
		g.add(kvWrite(BucketArtifacts))
		g.add(objWrite(ObjectArtifacts))
	case RolePublish:
		// Reads each artifact back against its checksum and marks it verified.
		g.add(consume(StreamPublish, DurablePublish))
		g.add(audit)
		g.add(kvWrite(BucketArtifacts))
		g.add(kvRead(BucketRounds))
		g.add(objRead(ObjectArtifacts))
	default:
		return grant{}, fmt.Errorf("bus: no NATS role %q (roles: %v)", role, Roles)
	}
	return g, nil
}

// Permissions are the subject permissions of a role's user; ops has none (everything).
func Permissions(role string) (*server.Permissions, error) {
	if role == RoleOps {
		return nil, nil
	}
	g, err := grants(role)
	if err != nil {
		return nil, err
	}
	g.add(common(role))
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: dedupe(g.pub)},
		Subscribe: &server.SubjectPermission{Allow: dedupe(g.sub)},
	}, nil
}

func dedupe(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
