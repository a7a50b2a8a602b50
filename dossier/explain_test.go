package dossier

import "testing"

// req applies a request for explanation naming nominee, with a reference and a requester.
func (b *dzBuilder) req(id, nominee, status, ref string) *dzBuilder {
	return b.event(Document{ID: id, Round: b.st.Round, Nominee: nominee, Kind: KindExplanationRequest, Status: status,
		ReceivedAt: b.received(status), Revision: 1, RequestRef: ref, Requester: "Đại biểu Trần Văn B"})
}

// expl applies an explanation; answers names the request by id, ref by its reference.
func (b *dzBuilder) expl(id, nominee, status, answers, ref string) *dzBuilder {
	return b.event(Document{ID: id, Round: b.st.Round, Nominee: nominee, Kind: KindExplanation, Status: status,
		ReceivedAt: b.received(status), Revision: 1, AnswersRequest: answers, RequestRef: ref})
}

func TestExplanationCycle(t *testing.T) {
	complete := func(b *dzBuilder) *dzBuilder {
		return b.doc("sa", "n01", KindSelfAssessment, StatusAccepted).doc("ad", "n01", KindAssetDeclaration, StatusAccepted)
	}
	tests := []struct {
		name       string
		acceptLate bool
		build      func(b *dzBuilder)
		open       int
		states     map[string]string // request id → state
		answered   map[string]string // request id → explanation id
	}{
		{"request opens an item", false, func(b *dzBuilder) { complete(b).req("r1", "n01", StatusAccepted, "") },
			1, map[string]string{"r1": RequestOpen}, nil},
		{"explanation closes it", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").expl("e1", "n01", StatusAccepted, "", "")
		}, 0, map[string]string{"r1": RequestAnswered}, map[string]string{"r1": "e1"}},
		{"unnamed explanation closes the oldest open request", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").req("r2", "n01", StatusAccepted, "").expl("e1", "n01", StatusAccepted, "", "")
		}, 1, map[string]string{"r1": RequestAnswered, "r2": RequestOpen}, map[string]string{"r1": "e1"}},
		{"explanation naming a request by id", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").req("r2", "n01", StatusAccepted, "").expl("e1", "n01", StatusAccepted, "r2", "")
		}, 1, map[string]string{"r1": RequestOpen, "r2": RequestAnswered}, map[string]string{"r2": "e1"}},
		{"explanation naming a request by reference", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "Số 11/ĐNGT").req("r2", "n01", StatusAccepted, "Số 12/ĐNGT").
				expl("e1", "n01", StatusAccepted, "", "  số 12/đngt ")
		}, 1, map[string]string{"r1": RequestOpen, "r2": RequestAnswered}, map[string]string{"r2": "e1"}},
		{"reference cited with the date of the letter", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "số 01/ĐNGT ngày 20/11/2026").req("r2", "n01", StatusAccepted, "SỐ 05/ĐNGT ngày 20/11/2026").
				expl("e1", "n01", StatusAccepted, "", "Số 05/ĐNGT")
		}, 1, map[string]string{"r1": RequestOpen, "r2": RequestAnswered}, map[string]string{"r2": "e1"}},
		{"reference cited by its bare number", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "Số 11/ĐNGT").req("r2", "n01", StatusAccepted, "Số 12/ĐNGT-TU").
				expl("e1", "n01", StatusAccepted, "", "số 12")
		}, 1, map[string]string{"r1": RequestOpen, "r2": RequestAnswered}, map[string]string{"r2": "e1"}},
		{"another letter's number closes nothing by reference", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "Số 11/ĐNGT").req("r2", "n01", StatusAccepted, "Số 12/ĐNGT").
				expl("e1", "n01", StatusAccepted, "", "Số 12/BTC")
		}, 1, map[string]string{"r1": RequestAnswered, "r2": RequestOpen}, map[string]string{"r1": "e1"}},
		{"a corrected answer does not close another request", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").req("r2", "n01", StatusAccepted, "").
				expl("e1", "n01", StatusAccepted, "r1", "").expl("e2", "n01", StatusAccepted, "r1", "")
		}, 1, map[string]string{"r1": RequestAnswered, "r2": RequestOpen}, map[string]string{"r1": "e1"}},
		{"explanation received before the request was filed still answers it", false, func(b *dzBuilder) {
			complete(b).expl("e1", "n01", StatusAccepted, "", "").req("r1", "n01", StatusAccepted, "")
		}, 0, map[string]string{"r1": RequestAnswered}, nil},
		{"late request waits for the board", false, func(b *dzBuilder) { complete(b).req("r1", "n01", StatusLate, "") },
			0, map[string]string{"r1": RequestAwaitingDecision}, nil},
		{"board accepts a late request", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusLate, "").decide("r1", DecisionAccept)
		}, 1, map[string]string{"r1": RequestOpen}, nil},
		{"board sets a late request aside", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusLate, "").decide("r1", DecisionAccept).decide("r1", DecisionSetAside)
		}, 0, map[string]string{"r1": RequestSetAside}, nil},
		{"unnamed explanation skips a request awaiting decision", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusLate, "").req("r2", "n01", StatusAccepted, "").expl("e1", "n01", StatusAccepted, "", "")
		}, 0, map[string]string{"r1": RequestAwaitingDecision, "r2": RequestAnswered}, map[string]string{"r2": "e1"}},
		{"late explanation does not close by default", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").expl("e1", "n01", StatusLate, "", "")
		}, 1, map[string]string{"r1": RequestOpen}, nil},
		{"late explanation closes with accept_late", true, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").expl("e1", "n01", StatusLate, "", "")
		}, 0, map[string]string{"r1": RequestAnswered}, nil},
		{"explanation awaiting review does not close", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").expl("e1", "n01", StatusNeedsReview, "", "")
		}, 1, map[string]string{"r1": RequestOpen}, nil},
		{"request awaiting review is not owed yet", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusNeedsReview, "").req("r2", "n01", StatusRejected, "")
		}, 0, map[string]string{}, nil},
		{"another person's explanation does not count", false, func(b *dzBuilder) {
			complete(b).req("r1", "n01", StatusAccepted, "").expl("e1", "n02", StatusAccepted, "r1", "")
		}, 1, map[string]string{"r1": RequestOpen}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dzRound(t)
			r.Rules.AcceptLate = tt.acceptLate
			b := newDZ(t, r.ID)
			tt.build(b)
			ns := personOf(t, Status(r, b.st, b.at), "n01")
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
		d  RequestDecision
		ok bool
	}{
		{RequestDecision{Request: "r1", Decision: DecisionAccept}, true},
		{RequestDecision{Request: "r1", Decision: DecisionSetAside, Note: "Gửi sau hạn, nội dung đã được trả lời tại hội nghị"}, true},
		{RequestDecision{Request: "", Decision: DecisionAccept}, false},
		{RequestDecision{Request: "r1", Decision: "maybe"}, false},
	}
	for _, tt := range tests {
		if err := tt.d.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}
