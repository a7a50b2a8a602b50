// Package minutes tallies confidence-vote ballots to the rule and produces the minutes documents.
//
// The tally is pure: [ParseSheet] reads the counting committee's CSV, [Compute] applies the
// round's rules to the roster, the attendance and the ballots or counts, and [Compare] lists
// what two independent entries disagree on. Nothing here stores anything or talks to NATS.
package minutes
