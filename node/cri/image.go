package cri

import (
	"context"
	"time"
)

// PullTimeout bounds one attempt to pull one image: long enough for the
// largest control-plane image over a slow link, short enough that a registry
// that never answers is reported.
const PullTimeout = 10 * time.Minute

// ImageExists reports whether the runtime has image.
func (c *Client) ImageExists(ctx context.Context, image string) (bool, error) {
	answer, err := c.call(ctx, callTimeout, "ask the container runtime for the image "+image, imageService+"ImageStatus", appendMessage(nil, 1, imageSpec(image)))
	if err != nil {
		return false, err
	}
	// The answer holds an Image (field 1) only for an image the runtime has.
	return hasField(answer, 1)
}

// PullImage has the runtime pull image once, within PullTimeout.
func (c *Client) PullImage(ctx context.Context, image string) error {
	_, err := c.call(ctx, PullTimeout, "failed to pull image "+image, imageService+"PullImage", appendMessage(nil, 1, imageSpec(image)))
	return err
}
