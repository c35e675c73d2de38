package cri

import (
	"context"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PullTimeout bounds one attempt to pull one image: long enough for the
// largest control-plane image over a slow link, short enough that a registry
// that never answers is reported.
const PullTimeout = 10 * time.Minute

// ImageExists reports whether the runtime has image.
func (c *Client) ImageExists(ctx context.Context, image string) (bool, error) {
	var r *runtimeapi.ImageStatusResponse
	err := c.call(ctx, callTimeout, "ask the container runtime for the image "+image, func(ctx context.Context) (err error) {
		r, err = c.images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: image}})
		return err
	})
	if err != nil {
		return false, err
	}
	return r.GetImage() != nil, nil
}

// PullImage has the runtime pull image once, within PullTimeout.
func (c *Client) PullImage(ctx context.Context, image string) error {
	return c.call(ctx, PullTimeout, "failed to pull image "+image, func(ctx context.Context) error {
		_, err := c.images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: image}})
		return err
	})
}
