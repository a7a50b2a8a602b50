package dossier_test

import (
	"testing"
	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

func TestExplanationCycle(t *testing.T) {
	complete := func(b *dossiertest.Builder) *dossiertest.Builder {
		return b.Doc("sa", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).Doc("ad", "n01", dossier.KindAssetDeclaration, dossier.StatusAccepted)
	}
	tests := []struct {
		name       string
		acceptLate bool
		build      func(b *dossiertest.Builder)
		open       int
		states     map[string]string // request id → state
		answered   map[string]string // request id → explanation id
	}{
		{"request opens an item", false, func(b *dossiertest.Builder) { complete(b).Req("r1", "n01", dossier.StatusAccepted, "") },
			1, map[string]string{"r1": dossier.RequestOpen}, nil},
		{"explanation closes it", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusAccepted, "", "")
		}, 0, map[string]string{"r1": dossier.RequestAnswered}, map[string]string{"r1": "e1"}},
		{"unnamed explanation closes the oldest open request", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Req("r2", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusAccepted, "", "")
		}, 1, map[string]string{"r1": dossier.RequestAnswered, "r2": dossier.RequestOpen}, map[string]string{"r1": "e1"}},
		{"explanation naming a request by id", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Req("r2", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusAccepted, "r2", "")
		}, 1, map[string]string{"r1": dossier.RequestOpen, "r2": dossier.RequestAnswered}, map[string]string{"r2": "e1"}},
		{"explanation naming a request by reference", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "Số 11/ĐNGT").Req("r2", "n01", dossier.StatusAccepted, "Số 12/ĐNGT").
				Expl("e1", "n01", dossier.StatusAccepted, "", "  số 12/đngt ")
		}, 1, map[string]string{"r1": dossier.RequestOpen, "r2": dossier.RequestAnswered}, map[string]string{"r2": "e1"}},
		{"reference cited with the date of the letter", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "số 01/ĐNGT ngày 20/11/2026").Req("r2", "n01", dossier.StatusAccepted, "SỐ 05/ĐNGT ngày 20/11/2026").
				Expl("e1", "n01", dossier.StatusAccepted, "", "Số 05/ĐNGT")
		}, 1, map[string]string{"r1": dossier.RequestOpen, "r2": dossier.RequestAnswered}, map[string]string{"r2": "e1"}},
		{"reference cited by its bare number", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "Số 11/ĐNGT").Req("r2", "n01", dossier.StatusAccepted, "Số 12/ĐNGT-TU").
				Expl("e1", "n01", dossier.StatusAccepted, "", "số 12")
		}, 1, map[string]string{"r1": dossier.RequestOpen, "r2": dossier.RequestAnswered}, map[string]string{"r2": "e1"}},
		{"another letter's number closes nothing by reference", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "Số 11/ĐNGT").Req("r2", "n01", dossier.StatusAccepted, "Số 12/ĐNGT").
				Expl("e1", "n01", dossier.StatusAccepted, "", "Số 12/BTC")
		}, 1, map[string]string{"r1": dossier.RequestAnswered, "r2": dossier.RequestOpen}, map[string]string{"r1": "e1"}},
		{"a corrected answer does not close another request", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Req("r2", "n01", dossier.StatusAccepted, "").
				Expl("e1", "n01", dossier.StatusAccepted, "r1", "").Expl("e2", "n01", dossier.StatusAccepted, "r1", "")
		}, 1, map[string]string{"r1": dossier.RequestAnswered, "r2": dossier.RequestOpen}, map[string]string{"r1": "e1"}},
		{"explanation received before the request was filed still answers it", false, func(b *dossiertest.Builder) {
			complete(b).Expl("e1", "n01", dossier.StatusAccepted, "", "").Req("r1", "n01", dossier.StatusAccepted, "")
		}, 0, map[string]string{"r1": dossier.RequestAnswered}, nil},
		{"late request waits for the board", false, func(b *dossiertest.Builder) { complete(b).Req("r1", "n01", dossier.StatusLate, "") },
			0, map[string]string{"r1": dossier.RequestAwaitingDecision}, nil},
		{"board accepts a late request", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusLate, "").Decide("r1", dossier.DecisionAccept)
		}, 1, map[string]string{"r1": dossier.RequestOpen}, nil},
		{"board sets a late request aside", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusLate, "").Decide("r1", dossier.DecisionAccept).Decide("r1", dossier.DecisionSetAside)
		}, 0, map[string]string{"r1": dossier.RequestSetAside}, nil},
		{"unnamed explanation skips a request awaiting decision", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusLate, "").Req("r2", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusAccepted, "", "")
		}, 0, map[string]string{"r1": dossier.RequestAwaitingDecision, "r2": dossier.RequestAnswered}, map[string]string{"r2": "e1"}},
		{"late explanation does not close by default", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusLate, "", "")
		}, 1, map[string]string{"r1": dossier.RequestOpen}, nil},
		{"late explanation closes with accept_late", true, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusLate, "", "")
		}, 0, map[string]string{"r1": dossier.RequestAnswered}, nil},
		{"explanation awaiting review does not close", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Expl("e1", "n01", dossier.StatusNeedsReview, "", "")
		}, 1, map[string]string{"r1": dossier.RequestOpen}, nil},
		{"request awaiting review is not owed yet", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusNeedsReview, "").Req("r2", "n01", dossier.StatusRejected, "")
		}, 0, map[string]string{}, nil},
		{"another person's explanation does not count", false, func(b *dossiertest.Builder) {
			complete(b).Req("r1", "n01", dossier.StatusAccepted, "").Expl("e1", "n02", dossier.StatusAccepted, "r1", "")
		}, 1, map[string]string{"r1": dossier.RequestOpen}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dossiertest.Round(t)
			r.Rules.AcceptLate = tt.acceptLate
			b := dossiertest.NewBuilder(t, r.ID)
			tt.build(b)
			ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, b.At), "n01")
			if ns.OpenRequests != tt.open {
				t.Errorf("open_requests = %d, want %d (%+v)", ns.OpenRequests, tt.open, ns.Requests)
			}
			if ns.Complete != (tt.open == 0) {
				t.Errorf("complete = %v with %d open", ns.Complete, ns.OpenRequests)
			}
			if len(ns.Requests) != len(tt.states) {
				t.Errorf("requests = %+v, want %d", ns.Requests, len(tt.states))
			}
			for _, rq := range ns.Requests {
				if want := tt.states[rq.DocumentID]; rq.State != want {
					t.Errorf("request %s state = %q, want %q", rq.DocumentID, rq.State, want)
				}
				if want, ok := tt.answered[rq.DocumentID]; ok && rq.AnsweredBy != want {
					t.Errorf("request %s answered by %q, want %q", rq.DocumentID, rq.AnsweredBy, want)
				}
				if rq.Requester == "" {
					t.Errorf("request %s lost its requester", rq.DocumentID)
				}
			}
		})
	}
}

func TestDecisionValidate(t *testing.T) {
	tests := []struct {
		d  dossier.RequestDecision
		ok bool
	}{
		{dossier.RequestDecision{Request: "r1", Decision: dossier.DecisionAccept}, true},
		{dossier.RequestDecision{Request: "r1", Decision: dossier.DecisionSetAside, Note: "Gửi sau hạn, nội dung đã được trả lời tại hội nghị"}, true},
		{dossier.RequestDecision{Request: "", Decision: dossier.DecisionAccept}, false},
		{dossier.RequestDecision{Request: "r1", Decision: "maybe"}, false},
	}
	for _, tt := range tests {
		if err := tt.d.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}
