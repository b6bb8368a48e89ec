package main

import (
	"context"
	"io"
	"log/slog"
)

func usersCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	return usageError("users: not available yet")
}
