package web

import (
	"errors"
	"strconv"
	"time"
)

// ParseWait reads a long-poll's ?wait: a duration ("30s", "1m", "500ms") or whole seconds ("30").
// Both faces answer a document's verdict as soon as it exists, waiting at most that long.
func ParseWait(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.Atoi(s)
		if nerr != nil {
			return 0, errors.New("wait phải là một khoảng thời gian, ví dụ 30s hoặc 30 (giây), không phải " + strconv.Quote(s))
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 {
		return 0, errors.New("wait không được âm")
	}
	return d, nil
}
