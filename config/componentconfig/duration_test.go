package componentconfig

import (
	"encoding/json"
	"testing"
)

// TestTimeOrMetaDuration checks that a value keeps the form it was given in:
// a string is normalised as a duration, a number stays nanoseconds.
func TestTimeOrMetaDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: `"5s"`, want: `"5s"`},
		{in: `"90s"`, want: `"1m30s"`},
		{in: `5000000000`, want: `5000000000`},
		{in: `0`, want: `0`},
		{in: `null`, want: `0`},
		{in: `"soon"`, wantErr: true},
		{in: `1.5`, wantErr: true},
		{in: `true`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var d TimeOrMetaDuration
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %+v, want an error", tt.in, d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("round trip of %s = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
