package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"gorm.io/gorm"

	"bureau/models/backup"
)

// exportCommand writes a backup of the whole instance to a file or to
// standard output. Messages go to standard error, since standard output
// may be the backup itself.
func exportCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	output := fs.String("output", "-", `the file to write ("-": standard output)`)
	if err := fs.Parse(args); err != nil {
		return usageError("export: " + err.Error())
	}
	if fs.NArg() > 0 {
		return usageError("export takes no arguments besides --output")
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		if *output == "-" {
			counts, err := backup.Export(ctx, db, stdout, stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "exported %s\n", counts)
			return nil
		}
		counts, err := exportToFile(ctx, db, *output, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %s to %s\n", counts, *output)
		return nil
	})
}

// exportToFile writes the export beside path and renames it into place
// once complete, so a failed export never leaves half a file, and an
// earlier backup of the same name stays whole until the new one is. The
// file is readable by its owner only: it holds password hashes.
func exportToFile(ctx context.Context, db *gorm.DB, path string, progress io.Writer) (backup.Counts, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; say it, in case that changes.
	if err := tmp.Chmod(0o600); err != nil {
		return nil, err
	}
	counts, err := backup.Export(ctx, db, tmp, progress)
	if err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	done = true
	return counts, nil
}

// importCommand restores a backup into the database, migrating it first.
func importCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	input := fs.String("input", "", `the file to read ("-": standard input)`)
	replace := fs.Bool("replace", false, "replace everything the database holds")
	if err := fs.Parse(args); err != nil {
		return usageError("import: " + err.Error())
	}
	if *input == "" || fs.NArg() > 0 {
		return usageError("import needs --input FILE (or - for standard input)")
	}
	in := stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		imported, err := backup.Import(ctx, db, in, backup.ImportOptions{Replace: *replace, Progress: stderr})
		var fileErr *backup.FileError
		if errors.As(err, &fileErr) {
			return fmt.Errorf("%s was not imported, nothing changed: %w", *input, err)
		}
		if err != nil {
			return fmt.Errorf("nothing imported: %w", err)
		}
		fmt.Fprintf(stdout, "imported %s; running servers on this database reload it now\n", imported)
		return nil
	})
}
