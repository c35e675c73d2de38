package componentconfig

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TimeOrMetaDuration is logging.flushFrequency, which component-base reads
// either as a duration string ("5s") or as a number of nanoseconds. It
// remembers which form it was given and writes that form back, so that a
// configuration kadm passes through keeps the user's spelling, as it would
// with component-base's own type.
type TimeOrMetaDuration struct {
	Duration metav1.Duration
	// SerializeAsString is true when the value was read as a string.
	SerializeAsString bool `json:"-"`
}

// MarshalJSON writes the string form when the value was read as one, the
// number of nanoseconds otherwise (also for the zero value).
func (t TimeOrMetaDuration) MarshalJSON() ([]byte, error) {
	if t.SerializeAsString {
		return t.Duration.MarshalJSON()
	}
	return json.Marshal(t.Duration.Duration)
}

// UnmarshalJSON reads a JSON string as a duration ("1m30s") and anything
// else as an integer number of nanoseconds.
func (t *TimeOrMetaDuration) UnmarshalJSON(b []byte) error {
	t.SerializeAsString = len(b) > 0 && b[0] == '"'
	if t.SerializeAsString {
		return json.Unmarshal(b, &t.Duration)
	}
	if err := json.Unmarshal(b, &t.Duration.Duration); err != nil {
		return fmt.Errorf("invalid duration %q: %w", b, err)
	}
	return nil
}
