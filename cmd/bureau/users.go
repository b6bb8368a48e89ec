package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
	"bureau/policies"
)

// usersCommand manages accounts from the shell: the first admin is made
// here, and a locked-out admin gets back in here.
func usersCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("users needs a subcommand: create or set-password")
	}
	switch args[0] {
	case "create":
		return usersCreate(ctx, cfg, log, args[1:], stdin, stdout)
	case "set-password":
		return usersSetPassword(ctx, cfg, log, args[1:], stdin, stdout)
	}
	return usageError(fmt.Sprintf("unknown users subcommand %q", args[0]))
}

func usersCreate(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "email address (sign-in name)")
	role := fs.String("role", "", "admin, editor, author or viewer")
	scope := fs.String("scope", policies.ScopeAll, `"*", office:{slug} or department:{slug}`)
	name := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return usageError("users create: " + err.Error())
	}
	if *email == "" || *role == "" || !*fromStdin {
		return usageError("users create needs --email, --role and --password-stdin")
	}
	if !policies.IsRole(*role) {
		return fmt.Errorf("--role must be admin, editor, author or viewer")
	}
	hash, err := readPasswordHash(stdin, *email)
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		a := models.NewAccount{Email: *email, DisplayName: *name, PasswordHash: hash}
		u, g, err := policies.CreateAccountWithGrant(ctx, db, models.System, a, *role, *scope, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s) with role %s in scope %s\n", u.Email, u.ID, g.Role, g.Scope)
		return nil
	})
}

func usersSetPassword(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("users set-password", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the account's email")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return usageError("users set-password: " + err.Error())
	}
	if *email == "" || !*fromStdin {
		return usageError("users set-password needs --email and --password-stdin")
	}
	hash, err := readPasswordHash(stdin, *email)
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		_, err := models.SetPasswordByEmail(ctx, db, models.System, *email, hash, map[string]any{"via": "cli"})
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("no user has the email %s", *email)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s; their sessions were ended\n", *email)
		return nil
	})
}

// readPasswordHash reads a password from stdin, checks it against the
// password policy and returns its hash.
func readPasswordHash(stdin io.Reader, email string) (string, error) {
	password, err := readPassword(stdin)
	if err != nil {
		return "", err
	}
	if err := auth.CheckPasswordPolicy(password, email); err != nil {
		return "", err
	}
	return auth.HashPassword(password)
}

// readPassword takes the first line of stdin, without its line ending.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
