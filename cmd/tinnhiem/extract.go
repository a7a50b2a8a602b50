package main

func (e *cmdEnv) extract(args []string) error {
	return usageError{"extract: not wired yet"}
}
