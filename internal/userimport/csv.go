// Package userimport reads the CSV files of user import jobs as Cognito's
// import page describes them: a header row naming every column of the
// pool's CSV header (GetCSVHeader) in any order, then one user a row with
// values unquoted and commas inside a value escaped with a backslash, so
// the file is read line by line rather than with encoding/csv. It streams:
// one row is in memory at a time.
package userimport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of an import file, as Cognito documents them.
const (
	MaxFileSize = 100 << 20
	MaxRows     = 500_000
	MaxRowChars = 16_000
)

// ErrRowTooLong is the error for a row longer than MaxRowChars.
var ErrRowTooLong = fmt.Errorf("the row is longer than %d characters", MaxRowChars)

// Reader reads an import file row by row.
type Reader struct {
	r      *bufio.Reader
	header []string
	// line is the number of the last line read (the header is line 1);
	// offset the bytes read so far.
	line   int64
	offset int64
}

// NewReader returns a Reader of r whose first line is at line+1 and byte
// offset of the file (0 and 0 for a whole file; a resumed import passes
// where it stopped, header already known).
func NewReader(r io.Reader, line, offset int64) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), line: line, offset: offset}
}

// Line is the number of the last line read.
func (r *Reader) Line() int64 { return r.line }

// Offset is the number of bytes of the file read, at a line boundary.
func (r *Reader) Offset() int64 { return r.offset }

// readLine returns the next line without its end; io.EOF after the last.
// A line longer than MaxRowChars is skipped and reported.
func (r *Reader) readLine() (string, error) {
	var b []byte
	tooLong := false
	for {
		chunk, err := r.r.ReadSlice('\n')
		r.offset += int64(len(chunk))
		if !tooLong {
			b = append(b, chunk...)
			if len(b) > utf8.UTFMax*MaxRowChars+2 {
				tooLong, b = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(b) == 0 && !tooLong {
			return "", io.EOF
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		r.line++
		if tooLong {
			return "", ErrRowTooLong
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if utf8.RuneCountInString(s) > MaxRowChars {
			return "", ErrRowTooLong
		}
		return s, nil
	}
}

// Split splits a row into its values: commas separate them, a backslash
// before a comma makes it part of the value.
func Split(row string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(row); i++ {
		c := row[i]
		switch {
		case c == '\\' && i+1 < len(row) && row[i+1] == ',':
			b.WriteByte(',')
			i++
		case c == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// ReadHeader reads the header row and checks that it names exactly the
// columns of want, in any order.
func (r *Reader) ReadHeader(want []string) ([]string, error) {
	line, err := r.readLine()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: it has no header row")
	}
	if err != nil {
		return nil, err
	}
	line = strings.TrimPrefix(line, "\ufeff")
	cols := Split(line)
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			return nil, fmt.Errorf("the header names %s twice", c)
		}
		seen[c] = true
	}
	var missing, extra []string
	for _, w := range want {
		if !seen[w] {
			missing = append(missing, w)
		}
		delete(seen, w)
	}
	for _, c := range cols {
		if seen[c] {
			extra = append(extra, c)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		msg := "the header does not match the user pool's CSV header (GetCSVHeader)"
		if len(missing) > 0 {
			msg += "; missing: " + strings.Join(missing, ", ")
		}
		if len(extra) > 0 {
			msg += "; not in the pool: " + strings.Join(extra, ", ")
		}
		return nil, errors.New(msg)
	}
	r.header = cols
	return cols, nil
}

// SetHeader sets the columns of a Reader that resumes after the header.
func (r *Reader) SetHeader(cols []string) { r.header = cols }

// Row is one user row: its line and its values by column, empty values
// left out.
type Row struct {
	Line   int64
	Values map[string]string
}

// Next reads the next row; io.EOF after the last. A row that cannot be
// read (too long, the wrong number of values) is returned with its line
// and an error, and reading may go on. Empty lines are skipped.
func (r *Reader) Next() (*Row, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return &Row{Line: r.line}, err
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		vals := Split(line)
		if len(vals) != len(r.header) {
			return &Row{Line: r.line}, fmt.Errorf("the row has %d values where the header has %d columns", len(vals), len(r.header))
		}
		row := &Row{Line: r.line, Values: map[string]string{}}
		for i, v := range vals {
			if v != "" {
				row.Values[r.header[i]] = v
			}
		}
		return row, nil
	}
}
