// Package dossier owns the domain of a confidence-vote round: rounds, nominees, document kinds,
// requirements, deadlines and exemptions, the completeness rules, the projector that applies
// document verdicts, and the deadline watcher that raises alerts.
package dossier

import "fmt"

// Kind is the kind of a dossier document.
type Kind string

// The document kinds of DESIGN §4.
const (
	KindSelfAssessment     Kind = "self_assessment"
	KindAssetDeclaration   Kind = "asset_declaration"
	KindExplanationRequest Kind = "explanation_request"
	KindExplanation        Kind = "explanation"
	KindOther              Kind = "other"
)

// AllKinds lists every kind in display order.
func AllKinds() []Kind {
	return []Kind{KindSelfAssessment, KindAssetDeclaration, KindExplanationRequest, KindExplanation, KindOther}
}

// ParseKind accepts the wire name of a kind.
func ParseKind(s string) (Kind, error) {
	for _, k := range AllKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("loại tài liệu không hợp lệ %q (cho phép: self_assessment, asset_declaration, explanation_request, explanation, other)", s)
}

// Label is the Vietnamese name shown to people.
func (k Kind) Label() string {
	switch k {
	case KindSelfAssessment:
		return "Báo cáo tự đánh giá"
	case KindAssetDeclaration:
		return "Bản kê khai tài sản, thu nhập"
	case KindExplanationRequest:
		return "Đề nghị giải trình"
	case KindExplanation:
		return "Báo cáo giải trình"
	case KindOther:
		return "Tài liệu khác"
	}
	return string(k)
}
