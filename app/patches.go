package app

import (
	"context"
	"sync"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/patches"
)

// patchSet reads a --patches directory on first use and says what it found,
// once per run however many phases patch something.
type patchSet struct {
	once sync.Once
	set  *patches.Set
	err  error
}

func (p *patchSet) get(ctx context.Context, dir string) (*patches.Set, error) {
	if dir == "" {
		return nil, nil
	}
	p.once.Do(func() {
		progress.Printf(ctx, "[patches] Reading patches from path %q\n", dir)
		p.set, p.err = patches.Load(dir)
		if p.err != nil {
			return
		}
		var ignored []string
		for _, ig := range p.set.Ignored() {
			if ig.Empty {
				progress.Printf(ctx, "[patches] Ignoring empty file: %q\n", ig.File)
			} else {
				progress.Printf(ctx, "[patches] Ignoring file %q: %s\n", ig.File, ig.Reason)
			}
			ignored = append(ignored, ig.File)
		}
		if files := p.set.Files(); len(files) > 0 {
			progress.Printf(ctx, "[patches] Found the following patch files: %v\n", files)
		}
		if len(ignored) > 0 {
			progress.Printf(ctx, "[patches] Ignored the following files: %v\n", ignored)
		}
	})
	return p.set, p.err
}

// componentDocument returns the YAML of the component document of kind in
// docs, nil when there is none.
func componentDocument(docs []config.ComponentConfig, kind string) []byte {
	for _, c := range docs {
		if c.Kind == kind {
			return c.YAML
		}
	}
	return nil
}
