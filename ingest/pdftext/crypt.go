package pdftext

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
)

// The standard security handler (ISO 32000-2 7.6.4). Files protected only by
// an owner password (an empty user password: anyone may open them, and
// viewers do without asking) are decrypted: RC4 of 40 to 128 bits (/V 1–2,
// /R 2–3), crypt filters with RC4 or AES-128 (/V 4, /R 4), and AES-256
// (/V 5, /R 5 and /R 6, algorithms 2.A and 2.B). A file that needs a real
// password, or another security handler, stays encrypted.

type cryptMethod uint8

const (
	cryptNone cryptMethod = iota
	cryptRC4
	cryptAESV2
	cryptAESV3
)

type security struct {
	r        int
	key      []byte
	stm, str cryptMethod
}

var errPassword = errors.New("a password is needed")

// padding is the 32 bytes a password is padded with (algorithm 2).
var padding = []byte{
	0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
}

// newSecurity opens the /Encrypt dictionary with the empty password, as the
// user and then as the owner.
func (f *file) newSecurity(enc map[string]object, id0 []byte) (*security, error) {
	get := func(k string) object { return f.resolve(enc[k]) }
	if fl := get("Filter"); fl.kind != objName || fl.str != "Standard" {
		return nil, fmt.Errorf("security handler %q", fl.str)
	}
	v, r := int(get("V").num), int(get("R").num)
	o, u := []byte(get("O").str), []byte(get("U").str)
	p := uint32(int32(int64(get("P").num)))
	encryptMeta := true
	if m := get("EncryptMetadata"); m.kind == objBool && m.num == 0 {
		encryptMeta = false
	}
	s := &security{r: r, stm: cryptRC4, str: cryptRC4}
	length := 40
	if l := get("Length"); l.isInt() && l.num >= 40 && l.num <= 256 && int(l.num)%8 == 0 {
		length = int(l.num)
	}
	switch v {
	case 1:
		length = 40
	case 2, 3:
	case 4, 5:
		cf := get("CF")
		method := func(name string) (cryptMethod, int) {
			if name == "" || name == "Identity" {
				return cryptNone, 0
			}
			d := f.resolve(cf.dict[name])
			if d.kind != objDict {
				return cryptNone, 0
			}
			n := 0
			if l := f.resolve(d.dict["Length"]); l.isInt() {
				n = int(l.num)
				if n <= 32 {
					n *= 8 // in bytes, as most writers put it
				}
			}
			switch f.resolve(d.dict["CFM"]).str {
			case "V2":
				return cryptRC4, n
			case "AESV2":
				return cryptAESV2, 128
			case "AESV3":
				return cryptAESV3, 256
			}
			return cryptNone, 0
		}
		var n1, n2 int
		s.stm, n1 = method(get("StmF").str)
		s.str, n2 = method(get("StrF").str)
		if n := max(n1, n2); n >= 40 && n <= 128 {
			length = n
		}
	default:
		return nil, fmt.Errorf("encryption version /V %d", v)
	}
	if v >= 4 && s.stm == cryptNone && s.str == cryptNone {
		// Only embedded files are encrypted (/EFF): the document reads
		// without the password they need.
		return s, nil
	}
	if r >= 5 {
		key, err := aes256Key(r, o, u, []byte(get("OE").str), []byte(get("UE").str))
		if err != nil {
			return nil, err
		}
		s.key = key
		return s, nil
	}
	if r < 2 || len(o) < 32 || len(u) < 16 {
		return nil, fmt.Errorf("revision /R %d with /O of %d and /U of %d bytes", r, len(o), len(u))
	}
	n := length / 8
	if r == 2 {
		n = 5
	}
	// As the user, with the empty password.
	if key := rc4Key(nil, o[:32], p, id0, r, n, encryptMeta); checkUser(key, u, id0, r) {
		s.key = key
		return s, nil
	}
	// As the owner, with the empty password: /O then yields the user's.
	user := ownerToUser(nil, o[:32], r, n)
	if key := rc4Key(user, o[:32], p, id0, r, n, encryptMeta); checkUser(key, u, id0, r) {
		s.key = key
		return s, nil
	}
	return nil, errPassword
}

func pad(pw []byte) []byte {
	b := make([]byte, 32)
	k := copy(b, pw)
	copy(b[k:], padding)
	return b
}

// rc4Key is algorithm 2: the file key from a user password.
func rc4Key(pw, o []byte, p uint32, id0 []byte, r, n int, encryptMeta bool) []byte {
	h := md5.New()
	h.Write(pad(pw))
	h.Write(o)
	var pb [4]byte
	binary.LittleEndian.PutUint32(pb[:], p)
	h.Write(pb[:])
	h.Write(id0)
	if r >= 4 && !encryptMeta {
		h.Write([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	}
	key := h.Sum(nil)
	if r >= 3 {
		for i := 0; i < 50; i++ {
			s := md5.Sum(key[:n])
			key = s[:]
		}
	}
	return key[:n]
}

// checkUser is algorithms 4 and 5: does key reproduce /U?
func checkUser(key, u, id0 []byte, r int) bool {
	if r == 2 {
		c, _ := rc4.NewCipher(key)
		got := make([]byte, 32)
		c.XORKeyStream(got, padding)
		return len(u) >= 32 && bytes.Equal(got, u[:32])
	}
	h := md5.New()
	h.Write(padding)
	h.Write(id0)
	got := h.Sum(nil)
	for i := 0; i < 20; i++ {
		c, _ := rc4.NewCipher(xorKey(key, byte(i)))
		c.XORKeyStream(got, got)
	}
	return bytes.Equal(got[:16], u[:16])
}

// ownerToUser is algorithm 7: the user password that /O hides, given the
// owner password.
func ownerToUser(owner, o []byte, r, n int) []byte {
	k := md5.Sum(pad(owner))
	key := k[:]
	if r >= 3 {
		for i := 0; i < 50; i++ {
			s := md5.Sum(key)
			key = s[:]
		}
	}
	key = key[:n]
	user := append([]byte(nil), o...)
	if r == 2 {
		c, _ := rc4.NewCipher(key)
		c.XORKeyStream(user, user)
		return user
	}
	for i := 19; i >= 0; i-- {
		c, _ := rc4.NewCipher(xorKey(key, byte(i)))
		c.XORKeyStream(user, user)
	}
	return user
}

func xorKey(key []byte, x byte) []byte {
	k := make([]byte, len(key))
	for i := range key {
		k[i] = key[i] ^ x
	}
	return k
}

// aes256Key is algorithm 2.A with the empty password, tried as the user and
// as the owner.
func aes256Key(r int, o, u, oe, ue []byte) ([]byte, error) {
	if len(o) < 48 || len(u) < 48 || len(oe) < 32 || len(ue) < 32 {
		return nil, fmt.Errorf("AES-256 with /O %d, /U %d, /OE %d, /UE %d bytes", len(o), len(u), len(oe), len(ue))
	}
	var pw []byte
	if bytes.Equal(hash2B(r, pw, u[32:40], nil), u[:32]) {
		return decryptKey(hash2B(r, pw, u[40:48], nil), ue[:32])
	}
	if bytes.Equal(hash2B(r, pw, o[32:40], u[:48]), o[:32]) {
		return decryptKey(hash2B(r, pw, o[40:48], u[:48]), oe[:32])
	}
	return nil, errPassword
}

// decryptKey decrypts /UE or /OE: AES-256, CBC, zero IV, no padding.
func decryptKey(k, e []byte) ([]byte, error) {
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 32)
	cipher.NewCBCDecrypter(b, make([]byte, 16)).CryptBlocks(out, e)
	return out, nil
}

// hash2B is the hash of algorithm 2.B (revision 6); revision 5 used plain
// SHA-256.
func hash2B(r int, pw, salt, udata []byte) []byte {
	h := sha256.New()
	h.Write(pw)
	h.Write(salt)
	h.Write(udata)
	k := h.Sum(nil)
	if r < 6 {
		return k
	}
	var k1 []byte
	for round := 0; ; round++ {
		k1 = k1[:0]
		for i := 0; i < 64; i++ {
			k1 = append(k1, pw...)
			k1 = append(k1, k...)
			k1 = append(k1, udata...)
		}
		b, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(b, k[16:32]).CryptBlocks(e, k1)
		sum := 0
		for _, c := range e[:16] {
			sum += int(c)
		}
		switch sum % 3 {
		case 0:
			s := sha256.Sum256(e)
			k = s[:]
		case 1:
			s := sha512.Sum384(e)
			k = s[:]
		default:
			s := sha512.Sum512(e)
			k = s[:]
		}
		if round >= 63 && int(e[len(e)-1]) <= round-31 {
			break
		}
	}
	return k[:32]
}

func (s *security) isIdentity() bool { return s.stm == cryptNone && s.str == cryptNone }

// objectKey is algorithm 1: the key of one object.
func (s *security) objectKey(num int, gen uint16, m cryptMethod) []byte {
	if m == cryptAESV3 {
		return s.key
	}
	h := md5.New()
	h.Write(s.key)
	h.Write([]byte{byte(num), byte(num >> 8), byte(num >> 16), byte(gen), byte(gen >> 8)})
	if m == cryptAESV2 {
		h.Write([]byte("sAlT"))
	}
	k := h.Sum(nil)
	return k[:min(len(s.key)+5, 16)]
}

func (s *security) decrypt(data []byte, num int, gen uint16, m cryptMethod) []byte {
	switch m {
	case cryptRC4:
		c, err := rc4.NewCipher(s.objectKey(num, gen, m))
		if err != nil {
			return data
		}
		out := make([]byte, len(data))
		c.XORKeyStream(out, data)
		return out
	case cryptAESV2, cryptAESV3:
		if len(data) < 32 || len(data)%16 != 0 {
			if len(data) >= 32 {
				data = data[:len(data)/16*16]
			} else {
				return nil
			}
		}
		b, err := aes.NewCipher(s.objectKey(num, gen, m))
		if err != nil {
			return data
		}
		out := make([]byte, len(data)-16)
		cipher.NewCBCDecrypter(b, data[:16]).CryptBlocks(out, data[16:])
		// PKCS#5 padding, removed only when well formed.
		if n := int(out[len(out)-1]); n >= 1 && n <= 16 && n <= len(out) {
			ok := true
			for _, c := range out[len(out)-n:] {
				if int(c) != n {
					ok = false
					break
				}
			}
			if ok {
				out = out[:len(out)-n]
			}
		}
		return out
	}
	return data
}

func (s *security) decryptStream(data []byte, num int, gen uint16) []byte {
	return s.decrypt(data, num, gen, s.stm)
}

// decryptStrings decrypts every string inside an object loaded from the file.
func (s *security) decryptStrings(o object, num int, gen uint16) object {
	if s.str == cryptNone {
		return o
	}
	switch o.kind {
	case objString:
		o.str = string(s.decrypt([]byte(o.str), num, gen, s.str))
	case objArray:
		arr := make([]object, len(o.arr))
		for i, x := range o.arr {
			arr[i] = s.decryptStrings(x, num, gen)
		}
		o.arr = arr
	case objDict, objStream:
		d := make(map[string]object, len(o.dict))
		for k, x := range o.dict {
			d[k] = s.decryptStrings(x, num, gen)
		}
		o.dict = d
	}
	return o
}
