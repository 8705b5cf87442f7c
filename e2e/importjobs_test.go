package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// importCSV builds an import file for a pool's header with the rows given
// as column → value maps.
func importCSV(header []string, rows ...map[string]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		vals := make([]string, len(header))
		for i, h := range header {
			vals[i] = strings.ReplaceAll(r[h], ",", `\,`)
		}
		b.WriteString(strings.Join(vals, ",") + "\n")
	}
	return b.String()
}

// upload PUTs a file at a PreSignedUrl as AWS's documented curl command
// does.
func upload(t *testing.T, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// waitJob describes a job until it leaves Pending and InProgress.
func waitJob(t *testing.T, c *cip.Client, pool, job string) *types.UserImportJobType {
	t.Helper()
	for range 500 {
		out := must[*cip.DescribeUserImportJobOutput](t)(c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(pool), JobId: aws.String(job)}))
		switch out.UserImportJob.Status {
		case types.UserImportJobStatusTypePending, types.UserImportJobStatusTypeInProgress, types.UserImportJobStatusTypeStopping:
			time.Sleep(20 * time.Millisecond)
			continue
		}
		return out.UserImportJob
	}
	t.Fatalf("job %s did not end", job)
	return nil
}

func TestUserImportJob(t *testing.T) {
	s, c := start(t)
	pool := aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}).Id)
	createUser(t, c, pool, "existing", attr("email", "existing@example.com"))
	header := must[*cip.GetCSVHeaderOutput](t)(c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool)})).CSVHeader
	file := importCSV(header,
		map[string]string{"cognito:username": "ann", "email": "ann@example.com", "email_verified": "true", "name": "Ann, Jr.", "birthdate": "02/29/1996", "cognito:mfa_enabled": "false"},
		map[string]string{"cognito:username": "existing", "email": "other@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"},
		map[string]string{"cognito:username": "unverified", "email": "u@example.com", "email_verified": "false", "cognito:mfa_enabled": "false"},
		map[string]string{"cognito:username": "baddate", "email": "b@example.com", "email_verified": "true", "birthdate": "1996-02-29", "cognito:mfa_enabled": "false"},
		map[string]string{"cognito:username": "bob", "email": "bob@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"},
	)

	created := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{
		UserPoolId: aws.String(pool), JobName: aws.String("legacy"), CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport"),
	})).UserImportJob
	job := aws.ToString(created.JobId)
	if created.Status != types.UserImportJobStatusTypeCreated || !strings.HasPrefix(job, "import-") || !strings.HasPrefix(aws.ToString(created.PreSignedUrl), s.URL+"/_cognate/user-import/") {
		t.Fatalf("created job %+v", created)
	}
	// A URL with another signature is refused.
	if resp := upload(t, aws.ToString(created.PreSignedUrl)+"0", file); resp.StatusCode != http.StatusForbidden {
		t.Errorf("tampered URL: status %d", resp.StatusCode)
	}
	if resp := upload(t, aws.ToString(created.PreSignedUrl), file); resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: status %d", resp.StatusCode)
	}
	started := must[*cip.StartUserImportJobOutput](t)(c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: aws.String(job)})).UserImportJob
	if started.StartDate == nil {
		t.Errorf("started job %+v", started)
	}
	_, err := c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: aws.String(job)})
	wantErr(t, err, "InvalidParameterException", "cannot be started")

	done := waitJob(t, c, pool, job)
	if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers != 2 || done.SkippedUsers != 1 || done.FailedUsers != 2 || done.CompletionDate == nil {
		t.Fatalf("finished job: status %s, imported %d, skipped %d, failed %d, message %q", done.Status, done.ImportedUsers, done.SkippedUsers, done.FailedUsers, aws.ToString(done.CompletionMessage))
	}
	ann := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ann")}))
	if ann.UserStatus != types.UserStatusTypeResetRequired || attrs(ann.UserAttributes)["name"] != "Ann, Jr." || attrs(ann.UserAttributes)["birthdate"] != "1996-02-29" {
		t.Errorf("imported user: %s %v", ann.UserStatus, attrs(ann.UserAttributes))
	}

	resp, err := http.Get(s.URL + "/_cognate/user-import/" + pool + "/" + job + "/log")
	if err != nil {
		t.Fatal(err)
	}
	log, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"[SKIPPED] Line Number 3 - The user already exists.", "[FAILED] Line Number 4 - at least one auto-verified attribute", "[FAILED] Line Number 5 - birthdate"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	// A job without a file fails; a job can be stopped only while it runs.
	empty := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{
		UserPoolId: aws.String(pool), JobName: aws.String("empty"), CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport"),
	})).UserImportJob
	_, err = c.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: aws.String(pool), JobId: empty.JobId})
	wantErr(t, err, "InvalidParameterException", "cannot be stopped")
	must[*cip.StartUserImportJobOutput](t)(c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: empty.JobId}))
	if j := waitJob(t, c, pool, aws.ToString(empty.JobId)); j.Status != types.UserImportJobStatusTypeFailed || !strings.Contains(aws.ToString(j.CompletionMessage), "No CSV file") {
		t.Errorf("job without a file: %s %q", j.Status, aws.ToString(j.CompletionMessage))
	}

	// ListUserImportJobs pages.
	var ids []string
	var token *string
	for {
		out := must[*cip.ListUserImportJobsOutput](t)(c.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(1), PaginationToken: token}))
		for _, j := range out.UserImportJobs {
			ids = append(ids, aws.ToString(j.JobId))
		}
		if token = out.PaginationToken; token == nil {
			break
		}
	}
	if len(ids) != 2 {
		t.Errorf("listed jobs %v", ids)
	}
	_, err = c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(pool), JobId: aws.String("import-none")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

// A job in progress when the server stops goes on from where it stood
// when the server starts again.
func TestUserImportJobResumes(t *testing.T) {
	s, c := start(t)
	pool := aws.ToString(newPool(t, c, nil).Id)
	header := must[*cip.GetCSVHeaderOutput](t)(c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool)})).CSVHeader
	var rows []map[string]string
	for _, n := range []string{"u1", "u2", "u3", "u4"} {
		rows = append(rows, map[string]string{"cognito:username": n, "cognito:mfa_enabled": "false"})
	}
	file := importCSV(header, rows...)
	job := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{
		UserPoolId: aws.String(pool), JobName: aws.String("resume"), CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport"),
	})).UserImportJob
	if resp := upload(t, aws.ToString(job.PreSignedUrl), file); resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: status %d", resp.StatusCode)
	}
	// Stop the server and leave the job as a crash would: in progress,
	// its first row done.
	s.Stop()
	st, err := server.OpenStore(ctx, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(file, "\n")
	_, err = st.UpdateImportJob(ctx, pool, aws.ToString(job.JobId), func(j *store.ImportJob) error {
		j.Status, j.StartedAt, j.Imported = "InProgress", time.Now(), 1
		j.Done, j.Line = int64(len(lines[0])+len(lines[1])), 2
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	s.Restart(t)
	c = s.Client
	done := waitJob(t, c, pool, aws.ToString(job.JobId))
	if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers != 4 {
		t.Fatalf("resumed job: %s, %d imported", done.Status, done.ImportedUsers)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("u1")})
	wantErr(t, err, "UserNotFoundException", "")
	for _, n := range []string{"u2", "u3", "u4"} {
		must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(n)}))
	}
}

// The AWS CLI imports a CSV file as AWS documents it: create-user-import-job,
// the upload with curl, start-user-import-job, describe-user-import-job
// until it ends.
func TestAWSCLIUserImport(t *testing.T) {
	s, c := start(t)
	cli := newAWSCLI(t, s.URL)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skipf("curl is not installed: %v", err)
	}
	pool := aws.ToString(newPool(t, c, nil).Id)
	header := get(cli.json("get-csv-header", "--user-pool-id", pool), "CSVHeader").([]any)
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = h.(string)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	file := importCSV(cols, map[string]string{"cognito:username": "cli-user", "name": "From, the CLI", "cognito:mfa_enabled": "false"})
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	job := cli.json("create-user-import-job", "--user-pool-id", pool, "--job-name", "cli",
		"--cloud-watch-logs-role-arn", "arn:aws:iam::123456789012:role/CognitoImport")
	id := get(job, "UserImportJob", "JobId").(string)
	url := get(job, "UserImportJob", "PreSignedUrl").(string)
	out, err := exec.Command("curl", "-sS", "-f", "-T", path, "-H", "x-amz-server-side-encryption:aws:kms", url).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	cli.json("start-user-import-job", "--user-pool-id", pool, "--job-id", id)
	var status string
	for range 500 {
		status = get(cli.json("describe-user-import-job", "--user-pool-id", pool, "--job-id", id), "UserImportJob", "Status").(string)
		if status != "Pending" && status != "InProgress" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status != "Succeeded" {
		t.Fatalf("job status %s", status)
	}
	u := cli.json("admin-get-user", "--user-pool-id", pool, "--username", "cli-user")
	if get(u, "UserStatus") != "RESET_REQUIRED" {
		t.Errorf("imported user %v", u)
	}
}

// BenchmarkUserImport100k imports a file of 100,000 users: upload, start,
// wait for the end. docs/benchmarks.md records its time.
func BenchmarkUserImport100k(b *testing.B) {
	const users = 100_000
	for b.Loop() {
		b.StopTimer()
		s := testserver.Start(b)
		c := s.Client
		out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		pool := aws.ToString(out.UserPool.Id)
		hdr, err := c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool)})
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		sb.WriteString(strings.Join(hdr.CSVHeader, ",") + "\n")
		vals := make([]string, len(hdr.CSVHeader))
		for i := range users {
			for k, h := range hdr.CSVHeader {
				switch h {
				case "cognito:username":
					vals[k] = fmt.Sprintf("user%06d", i)
				case "cognito:mfa_enabled":
					vals[k] = "false"
				case "name":
					vals[k] = fmt.Sprintf("User\\, number %d", i)
				default:
					vals[k] = ""
				}
			}
			sb.WriteString(strings.Join(vals, ",") + "\n")
		}
		job, err := c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: aws.String(pool), JobName: aws.String("bench"),
			CloudWatchLogsRoleArn: aws.String("arn:aws:iam::123456789012:role/CognitoImport")})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		req, _ := http.NewRequest(http.MethodPut, aws.ToString(job.UserImportJob.PreSignedUrl), strings.NewReader(sb.String()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("upload: %v %v", err, resp)
		}
		resp.Body.Close()
		if _, err := c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(pool), JobId: job.UserImportJob.JobId}); err != nil {
			b.Fatal(err)
		}
		for {
			d, err := c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(pool), JobId: job.UserImportJob.JobId})
			if err != nil {
				b.Fatal(err)
			}
			if st := d.UserImportJob.Status; st != types.UserImportJobStatusTypePending && st != types.UserImportJobStatusTypeInProgress {
				if st != types.UserImportJobStatusTypeSucceeded || d.UserImportJob.ImportedUsers != users {
					b.Fatalf("job %s, %d imported", st, d.UserImportJob.ImportedUsers)
				}
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
