package main

import (
	"strings"
	"testing"
)

func TestMemoryLimitSetting(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want int64
	}{
		{nil, defaultMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, 0}, // the runtime's own setting wins
		{map[string]string{"BUREAU_MEMORY_LIMIT": "512MiB", "GOMEMLIMIT": "1GiB"}, 512 << 20},
		{map[string]string{"BUREAU_MEMORY_LIMIT": "2GiB"}, 2 << 30},
		{map[string]string{"BUREAU_MEMORY_LIMIT": "100000KiB"}, 100000 << 10},
		{map[string]string{"BUREAU_MEMORY_LIMIT": "268435456"}, 256 << 20},
		{map[string]string{"BUREAU_MEMORY_LIMIT": "off"}, 0},
		{map[string]string{"BUREAU_MEMORY_LIMIT": "0"}, 0},
	} {
		c, err := LoadConfig(env(tc.env))
		if err != nil || c.MemoryLimit != tc.want {
			t.Errorf("%v: limit %d (%v), want %d", tc.env, c.MemoryLimit, err, tc.want)
		}
	}
	for _, bad := range []string{"512M", "1.5GiB", "-1MiB", "10MiB", "lots", "99999999999GiB"} {
		_, err := LoadConfig(env(map[string]string{"BUREAU_MEMORY_LIMIT": bad}))
		if err == nil || !strings.Contains(err.Error(), "BUREAU_MEMORY_LIMIT") {
			t.Errorf("%q accepted (%v)", bad, err)
		}
	}
}
