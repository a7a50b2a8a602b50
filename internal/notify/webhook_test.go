package notify

import "testing"

// The signature is HMAC-SHA256 (RFC 4231 test case 2).
func TestSign(t *testing.T) {
	if sig := Sign("Jefe", []byte("what do ya want for nothing?")); sig != "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Errorf("signature %q", sig)
	}
}
