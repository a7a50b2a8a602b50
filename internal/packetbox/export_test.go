package packetbox

import (
	"runtime/debug"
	"strconv"
	"tinnhiem/internal/rlimit"
)

// LimitForTest applies the --mem-limit of a child's arguments, for a test child that
// allocates without end to meet it.
func LimitForTest(args []string) error {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--mem-limit" {
			n, err := strconv.ParseInt(args[i+1], 10, 64)
			if err != nil {
				return err
			}
			debug.SetMemoryLimit(n / 5 * 4)
			return rlimit.Growth(n)
		}
	}
	return nil
}
